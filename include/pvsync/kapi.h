/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kapi.h - the only door from pvsync's C++ into the kernel.
 *
 * C++ in pvsync includes no kernel header.  Everything it needs from the
 * kernel (threads, timers, IPIs, per-CPU memory, clocks, printing, debugfs)
 * is declared here as a plain C function and implemented by the thin glue in
 * src/glue/, which is the only code that includes kernel headers.  The
 * glue holds no algorithm: each function is a direct use of one kernel
 * facility.
 *
 * The header is valid C and C++.  It uses only built-in types so that it
 * needs neither <linux/types.h> nor a libc header: "unsigned long" is the
 * kernel's size_t on every architecture pvsync builds for.  C users must
 * have bool (from <linux/types.h>) before including it.
 */
#ifndef PVSYNC_KAPI_H
#define PVSYNC_KAPI_H

#ifdef __cplusplus
#include <pvsync/compiler.h>
extern "C" {
#endif

/* Log levels understood by pvk_log(), matching the kernel's printk levels. */
enum pvk_log_level {
	PVK_LOG_ERR = 3,
	PVK_LOG_WARNING = 4,
	PVK_LOG_INFO = 6,
	PVK_LOG_DEBUG = 7,
};

/**
 * pvk_log() - print one message to the kernel log.
 * @level: one of &enum pvk_log_level.
 * @fmt: printk format; a trailing newline is added when missing.
 *
 * Context: any, including hard irq.
 */
void pvk_log(int level, const char *fmt, ...) __printf(2, 3);

/**
 * pvk_warn_once_report() - WARN once, with a backtrace, about a broken
 * invariant that pvsync detected and is about to report as a failure.
 * @what: a short description of the broken invariant.
 *
 * Only the first call per module load taints and prints a backtrace; later
 * calls print one line.  Never BUGs.
 */
void pvk_warn_once_report(const char *what);

/**
 * pvk_snprintf() - format into a buffer, as the kernel's snprintf().
 * @buf: destination, always NUL-terminated when @size > 0.
 * @size: size of @buf.
 * @fmt: printk-style format.
 *
 * Return: the length the full output would have had.
 */
int pvk_snprintf(char *buf, unsigned long size, const char *fmt, ...)
	__printf(3, 4);

/**
 * pvk_vsnprintf() - pvk_snprintf() taking a va_list.
 * @buf: destination, always NUL-terminated when @size > 0.
 * @size: size of @buf.
 * @fmt: printk-style format.
 * @args: the arguments; __builtin_va_list is va_list in C and C++ alike.
 *
 * Return: the length the full output would have had.
 */
int pvk_vsnprintf(char *buf, unsigned long size, const char *fmt,
		  __builtin_va_list args) __printf(3, 0);

/* ------------------------------------------------------------------ */
/* CPUs, preemption and interrupts                                     */

/**
 * pvk_this_cpu() - the CPU this code runs on.
 *
 * Stable only while preemption or interrupts are disabled; elsewhere it is a
 * hint (raw_smp_processor_id()).
 */
unsigned int pvk_this_cpu(void);

/** pvk_nr_cpu_ids() - one more than the highest possible CPU number. */
unsigned int pvk_nr_cpu_ids(void);

/** pvk_num_online_cpus() - how many CPUs are online now. */
unsigned int pvk_num_online_cpus(void);

/**
 * pvk_nth_online_cpu() - the @n-th online CPU, counting from 0, wrapping
 * around the online mask; used to spread threads over CPUs.
 * @n: any index.
 */
unsigned int pvk_nth_online_cpu(unsigned int n);

/** pvk_preempt_disable() - preempt_disable(). */
void pvk_preempt_disable(void);
/** pvk_preempt_enable() - preempt_enable(); may reschedule. */
void pvk_preempt_enable(void);
/** pvk_preemptible() - true where the caller may be preempted or migrate. */
bool pvk_preemptible(void);

/** pvk_local_irq_save() - local_irq_save(); returns the flags to restore. */
unsigned long pvk_local_irq_save(void);
/** pvk_local_irq_restore() - local_irq_restore(@flags). */
void pvk_local_irq_restore(unsigned long flags);
/** pvk_irqs_disabled() - irqs_disabled(). */
bool pvk_irqs_disabled(void);
/** pvk_in_hardirq() - true in hard-irq context. */
bool pvk_in_hardirq(void);

/* ------------------------------------------------------------------ */
/* Memory                                                              */

/**
 * pvk_zalloc() - zeroed, cache-line aligned kernel memory.
 * @size: bytes; large sizes come from vmalloc.
 *
 * Context: process context, may sleep.
 * Return: the memory, or NULL.
 */
void *pvk_zalloc(unsigned long size);
/** pvk_free() - free memory from pvk_zalloc(); NULL is ignored. */
void pvk_free(void *p);

/**
 * pvk_percpu_zalloc() - zeroed per-CPU memory of @size bytes per CPU.
 * @size: bytes per CPU.
 * @align: alignment, a power of two up to PAGE_SIZE.
 *
 * Return: a per-CPU cookie for pvk_per_cpu_ptr(), or NULL.
 */
void *pvk_percpu_zalloc(unsigned long size, unsigned long align);
/** pvk_percpu_free() - free a cookie from pvk_percpu_zalloc(). */
void pvk_percpu_free(void *pcp);
/** pvk_per_cpu_ptr() - @cpu's instance of the per-CPU cookie @pcp. */
void *pvk_per_cpu_ptr(void *pcp, unsigned int cpu);

/* ------------------------------------------------------------------ */
/* Time                                                                */

/** pvk_now_ns() - monotonic time in ns (ktime_get_ns()). Any context. */
unsigned long long pvk_now_ns(void);

/**
 * pvk_clock_ns() - this CPU's clock in ns (local_clock()): cheap (no
 * seqlock), NMI-safe, monotonic on one CPU; across CPUs it may step back
 * a little, so callers clamp differences at 0.  Any context.
 */
unsigned long long pvk_clock_ns(void);

/** pvk_tsc_khz() - the TSC frequency in kHz, 0 when unknown. */
unsigned long pvk_tsc_khz(void);

/**
 * pvk_msleep_interruptible() - sleep up to @ms milliseconds.
 * @ms: how long.
 *
 * Return: true when a signal cut the sleep short.
 */
bool pvk_msleep_interruptible(unsigned int ms);

/** pvk_cond_resched() - let the scheduler run something else if needed. */
void pvk_cond_resched(void);

/** pvk_signal_pending() - the current task has a signal pending. */
bool pvk_signal_pending(void);

/** pvk_module_unloading() - rmmod has begun; runs must end promptly. */
bool pvk_module_unloading(void);

/**
 * pvk_pin_module() - keep pvsync loaded for good, because something of
 * ours still runs (a wedged thread, an IPI not yet handled) and uses the
 * module's code and the memory it was given, which rmmod would free.
 * @why: what still runs; logged on the first call.
 *
 * rmmod fails with -EBUSY from then on; a reboot clears it.
 */
void pvk_pin_module(const char *why);

/* ------------------------------------------------------------------ */
/* Threads                                                             */

struct pvk_thread;

/**
 * pvk_thread_start() - start a kernel thread bound to one CPU.
 * @fn: the thread's body; its return value is what pvk_thread_stop() gives.
 * @arg: passed to @fn.
 * @cpu: the CPU to bind to; must be online.
 * @name: thread name, "pvsync/%u" style, copied.
 *
 * The thread runs until @fn returns.  @fn must poll pvk_thread_should_stop()
 * often if it loops.
 *
 * Context: process context, may sleep.
 * Return: a handle, or NULL when the thread could not be created.
 */
struct pvk_thread *pvk_thread_start(int (*fn)(void *arg), void *arg,
				    unsigned int cpu, const char *name);

/**
 * pvk_thread_stop() - ask a thread to stop, wait for it, and free it.
 * @t: a handle from pvk_thread_start().
 *
 * Safe whether @fn already returned or not.
 *
 * Return: @fn's return value, or -EINTR if it never ran.
 */
int pvk_thread_stop(struct pvk_thread *t);

/** pvk_thread_should_stop() - kthread_should_stop() for the current thread. */
bool pvk_thread_should_stop(void);

/**
 * pvk_migrate_current() - move the calling task to @cpu now, and keep it
 * there (its allowed CPUs become @cpu alone).
 * @cpu: an online CPU.
 *
 * Used by the upcall experiment's "migrate" mutant to move a task at the
 * worst moment, which preemption might otherwise do only rarely.  Works
 * for threads from pvk_thread_start() despite their binding.
 *
 * Context: process context, preemptible; may sleep.
 * Return: 0, or a negative errno (-ENODEV when @cpu is not online).
 */
int pvk_migrate_current(unsigned int cpu);

struct pvk_watch;

/**
 * pvk_watch_start() - trap after every access to a few bytes of memory:
 * a hardware data breakpoint on every CPU.
 * @addr: the first byte watched, aligned to @len.
 * @len: 1, 2, 4 or 8 bytes.
 * @fn: called after each instruction that read or wrote the watched
 *	bytes has completed, in the debug exception (#DB) on the CPU that
 *	ran it, irqs off; must not sleep, take locks or block.  Accesses
 *	made by @fn itself do not trap.
 * @arg: passed to @fn.
 * @err: set to 0, or to a negative errno when NULL is returned.
 *
 * The upcall experiment injects its emulated hypervisor interrupt from
 * @fn: exactly between two instructions of compiled code, which is where
 * a real interrupt lands, without a hook that would change what the
 * compiler emits.  Every access traps, so a watch is for short sequences.
 *
 * Context: process context; may sleep.
 * Return: a handle for pvk_watch_stop(), or NULL (-EINVAL for a bad
 * @len or alignment, -ENOSPC when no debug register is free, -ENOMEM).
 */
struct pvk_watch *pvk_watch_start(void *addr, unsigned int len,
				  void (*fn)(void *arg), void *arg, int *err);

/**
 * pvk_watch_stop() - remove a watch from pvk_watch_start(); NULL is
 * ignored.  No call of its @fn is running or to come once this returns.
 * @w: the handle.
 *
 * Context: process context; may sleep.
 */
void pvk_watch_stop(struct pvk_watch *w);

/* ------------------------------------------------------------------ */
/* Interrupts on demand                                                */

/**
 * pvk_run_on_cpu() - run @fn(@arg) on @cpu in hard-irq context (an IPI),
 * or directly with irqs off when @cpu is the caller's CPU.
 * @cpu: target CPU, online.
 * @fn: the function; must not sleep.
 * @arg: its argument.
 * @wait: wait until @fn has returned.
 *
 * Return: 0, or a negative errno when @cpu is offline.
 */
int pvk_run_on_cpu(unsigned int cpu, void (*fn)(void *arg), void *arg,
		   bool wait);

struct pvk_irq_timer;

/**
 * pvk_irq_timer_create() - a periodic hard-irq timer pinned to one CPU.
 * @fn: runs in hard-irq context on the timer's CPU at every expiry.
 * @arg: passed to @fn.
 * @period_ns: interval between expiries.
 *
 * The timer is created stopped; pvk_irq_timer_start_here() arms it.
 *
 * Context: process context, may sleep.
 * Return: a handle, or NULL.
 */
struct pvk_irq_timer *pvk_irq_timer_create(void (*fn)(void *arg), void *arg,
					   unsigned long long period_ns);

/**
 * pvk_irq_timer_start_here() - arm @t pinned to the calling CPU.
 * @t: a stopped timer.
 *
 * Context: a thread bound to one CPU, so that "here" stays true.
 */
void pvk_irq_timer_start_here(struct pvk_irq_timer *t);

/**
 * pvk_irq_timer_destroy() - cancel @t, wait for a running @fn, free it.
 * @t: a handle from pvk_irq_timer_create(), or NULL.
 */
void pvk_irq_timer_destroy(struct pvk_irq_timer *t);

/* ------------------------------------------------------------------ */
/* The running kernel's spinlock (src/glue/spinlock.c)                 */

struct pvk_spinlock;

/**
 * pvk_spinlock_create() - allocate and initialise one of the kernel's own
 * spinlocks (a raw_spinlock_t, alone on its cache line), unlocked.
 *
 * C++ cannot know the size of the kernel's lock, so the glue owns it.
 *
 * Context: process context, may sleep.
 * Return: a handle, or NULL.
 */
struct pvk_spinlock *pvk_spinlock_create(void);

/**
 * pvk_spinlock_destroy() - free a lock from pvk_spinlock_create().
 * @l: the lock, unlocked, or NULL.
 */
void pvk_spinlock_destroy(struct pvk_spinlock *l);

/**
 * pvk_spin_lock() - acquire @l with the kernel's do_raw_spin_lock(), i.e.
 * its arch (queued, paravirt-patched) spinlock.
 * @l: the lock.
 *
 * Unlike spin_lock(), neither this nor pvk_spin_unlock() touches preemption
 * or lockdep: the caller has preemption disabled, as for every pvsync lock.
 */
void pvk_spin_lock(struct pvk_spinlock *l);

/**
 * pvk_spin_trylock() - do_raw_spin_trylock() on @l.
 * @l: the lock.
 *
 * Return: true when the lock was free and is now held by the caller.
 */
bool pvk_spin_trylock(struct pvk_spinlock *l);

/**
 * pvk_spin_unlock() - do_raw_spin_unlock() on @l, held by the caller.
 * @l: the lock.
 */
void pvk_spin_unlock(struct pvk_spinlock *l);

/**
 * pvk_spin_call_nop() - does nothing, out of line, exactly as
 * pvk_spin_lock() and pvk_spin_unlock() are called: what the benchmark
 * subtracts to compare the kernel's lock, reached through these calls,
 * with pvsync's inlined locks (stress: glue_call_pair_ns).
 * @l: ignored.
 */
void pvk_spin_call_nop(struct pvk_spinlock *l);

/**
 * pvk_spin_is_locked() - raw_spin_is_locked(): any holder or waiter.
 * @l: the lock.
 */
bool pvk_spin_is_locked(struct pvk_spinlock *l);

/**
 * pvk_spin_is_contended() - raw_spin_is_contended(): someone waits.
 * @l: the lock.
 */
bool pvk_spin_is_contended(struct pvk_spinlock *l);

/**
 * pvk_cpu_possible() - @cpu is in cpu_possible_mask, so its per-CPU memory
 * exists (whether or not it is online).
 * @cpu: any number; false at or above nr_cpu_ids.
 */
bool pvk_cpu_possible(unsigned int cpu);

/**
 * pvk_kernel_spinlock_impl() - which algorithm the running kernel's
 * spinlock_t really is here, for reading benchmark results.
 *
 * "paravirt qspinlock" when the kernel's pv spinlocks are patched in;
 * otherwise, on a CPU that reports a hypervisor, "test-and-set
 * (virt_spin_lock)": x86 Linux replaces the fair queued lock by an unfair
 * test-and-set lock there, because of lock-holder preemption; otherwise
 * "native qspinlock".
 *
 * Return: a static string.
 */
const char *pvk_kernel_spinlock_impl(void);

/* ------------------------------------------------------------------ */
/* Halting and kicking, for the paravirt lock (src/glue/pv.c)          */

/**
 * pvk_safe_halt() - halt this CPU until the next interrupt, atomically
 * with enabling interrupts ("sti; hlt"), then disable them again.
 *
 * The caller disables interrupts, checks its wake-up condition, and only
 * then calls this: an interrupt arriving after the check (a kick's IPI)
 * is taken by the hlt, not before it, so it cannot be missed.  Under a
 * hypervisor the halted vCPU gives its host CPU back.
 *
 * Context: interrupts disabled by the caller, which had them enabled
 * before (a task or softirq); returns with interrupts disabled.
 */
void pvk_safe_halt(void);

/**
 * pvk_send_kick_ipi() - interrupt @cpu with an IPI whose handler does
 * nothing, to end a pvk_safe_halt() there.
 * @cpu: target CPU; ignored when offline.
 *
 * If an earlier kick IPI to @cpu has not been handled yet, none is sent:
 * that one arrives after the caller's earlier stores.
 *
 * Context: any, including hard irq and interrupts disabled; does not wait.
 */
void pvk_send_kick_ipi(unsigned int cpu);

/**
 * pvk_kick_ipis_idle() - wait until no kick IPI is in flight.
 * @timeout_ms: give up after this long.
 *
 * Context: process context, may sleep.
 * Return: true when none is in flight.
 */
bool pvk_kick_ipis_idle(unsigned int timeout_ms);

/**
 * pvk_host_pv_available() - whether the running kernel's own paravirt
 * spinlock operations (pv_ops.lock.wait and .kick) are active.
 * @why: receives the reason when they are not.
 * @size: size of @why.
 *
 * Return: 0, or -ENODEV with @why filled in.
 */
int pvk_host_pv_available(char *why, unsigned long size);

/**
 * pvk_host_pv_wait() - the kernel's pv_wait(@ptr, @val): halt this vCPU
 * through the hypervisor unless *@ptr != @val; may return spuriously.
 * @ptr: the byte to watch.
 * @val: the value to halt on.
 *
 * Context: as the kernel's pv_wait(); pvk_host_pv_available() returned 0.
 */
void pvk_host_pv_wait(unsigned char *ptr, unsigned char val);

/**
 * pvk_host_pv_kick() - the kernel's pv_kick(@cpu): wake a vCPU halted in
 * pvk_host_pv_wait().
 * @cpu: the vCPU.
 *
 * Context: any; pvk_host_pv_available() returned 0.
 */
void pvk_host_pv_kick(unsigned int cpu);

/**
 * pvk_kcsan_disable_current() - kcsan_disable_current(): until the
 * matching pvk_kcsan_enable_current(), KCSAN reports no race on this
 * task's accesses.  The two make data_race() for C++ (PV_DATA_RACE() in
 * src/core/data_race.hpp); each use names why its race is intended.
 * Nothing without CONFIG_KCSAN.
 *
 * Context: any; nests.
 */
void pvk_kcsan_disable_current(void);

/** pvk_kcsan_enable_current() - kcsan_enable_current(). */
void pvk_kcsan_enable_current(void);

#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_KAPI_H */
