/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crew.hpp - the threads of a run: start them bound to CPUs, wait until
 * they are up, release them together, stop them, and count the ones that
 * never came back.  Every experiment and every multi-CPU test case runs
 * its threads through one Crew, so all of them start, stop and fail the
 * same way.
 *
 * A member's life, on its own CPU (member_main() in crew.cpp):
 *
 *	prepare(arg)			optional, e.g. arm this CPU's timer
 *	started := 1 (release)		the coordinator's wait_started()
 *	wait for go (acquire)		or for stop, which skips the body
 *	body(arg)			loops while !crew.stopping()
 *	finished := 1 (release)		the coordinator's finish()
 *	sleep until pvk_thread_stop()
 *
 * The coordinator:
 *
 *	crew.add(...) per member; crew.wait_started(ms); crew.go();
 *	run_for(duration); crew.stop(); wedged = crew.finish(ms);
 *
 * finish() stops only the members that finished.  A member that did not
 * (a lock that never granted, a loop that never saw stop) still runs on
 * the run's memory and the module's code, so stopping it would wait for
 * ever and freeing its memory would pull it out from under it:
 * safe_to_free() pins the module instead, and the caller leaks the memory.
 *
 * A Crew is plain data, all zero when fresh: it lives inside a run's
 * pvk_zalloc() memory, or in static storage for test cases whose stuck
 * threads may outlive them, and reset() makes it fresh again.
 */
#ifndef PVSYNC_CREW_HPP
#define PVSYNC_CREW_HPP

#include <stdint.h>

#include <pvsync/kapi.h>
#include "core/linkage.hpp"
#include "core/atomic.hpp"

namespace pv {

/*
 * wait_flag - sleep in 1 ms steps until *@flag != 0, or @timeout_ms pass.
 * The load is an acquire: what the setter wrote before its release of
 * @flag is visible when this returns true.
 *
 * Context: process context, may sleep.
 */
bool wait_flag(const uint32_t *flag, unsigned int timeout_ms);

/*
 * wait_until - sleep in 1 ms steps until @pred() holds, or @timeout_ms
 * pass; @pred does its own ordering.  Return: @pred()'s last value.
 */
template <typename Pred>
bool wait_until(Pred pred, unsigned int timeout_ms)
{
	unsigned long long end = pvk_now_ns() + timeout_ms * 1000000ULL;

	while (!pred()) {
		if (pvk_now_ns() > end)
			return pred();
		pvk_msleep_interruptible(1);
	}
	return true;
}

class Crew {
public:
	static constexpr unsigned int max_members = 64;

	using Fn = void (*)(void *arg);

	/* Back to fresh, for a crew in static storage; nothing may run. */
	void reset();

	/*
	 * add - start a member bound to @cpu that runs @body(@arg) between
	 * go and stop, after @prepare(@arg) (may be nullptr).
	 * Return: false when the thread could not start (or the crew is
	 * full); the member then counts as finished and never started.
	 */
	bool add(unsigned int cpu, Fn body, void *arg, const char *name,
		 Fn prepare = nullptr);

	/* Wait until every added member has started; false on timeout or
	 * when a member failed to start. */
	bool wait_started(unsigned int timeout_ms);

	/* Release the members into their bodies; publishes everything the
	 * coordinator wrote before (release; pairs with member_main()). */
	__always_inline void go() { smp_store_release(&go_, 1u); }

	/* Tell the members to leave their bodies (they poll stopping()). */
	__always_inline void stop() { WRITE_ONCE(stop_, 1u); }

	/* For the bodies: leave now. */
	__always_inline bool stopping() const { return READ_ONCE(stop_) != 0; }

	/* Every member has finished (or never had a thread). */
	bool all_finished() const;

	/* Sleep until all_finished(), or @timeout_ms pass. */
	bool wait_finished(unsigned int timeout_ms);

	/*
	 * finish - stop(), wait up to @timeout_ms for the members to finish,
	 * stop the threads of those that did.  Return: the wedged count,
	 * members that did not finish and were left running.
	 */
	unsigned int finish(unsigned int timeout_ms);

	__always_inline unsigned int size() const { return n_; }
	__always_inline unsigned int cpu(unsigned int i) const { return m_[i].cpu; }
	__always_inline bool has_thread(unsigned int i) const { return m_[i].thread != nullptr; }
	/* After finish(): member @i has a thread that was left running. */
	__always_inline bool wedged(unsigned int i) const
	{
		return m_[i].thread && !m_[i].stopped;
	}
	/* Members whose thread reached its started flag. */
	unsigned int started() const;
	/* Members that could not even be created. */
	__always_inline unsigned int failed() const { return failed_; }

private:
	struct alignas(64) Member {
		Crew *crew;
		pvk_thread *thread;
		Fn body, prepare;
		void *arg;
		unsigned int cpu;
		uint32_t started;	/* member -> coordinator, release */
		uint32_t finished;	/* member -> coordinator, release */
		bool stopped;		/* thread stopped by finish() */
	};

	static int member_main(void *arg);

	Member m_[max_members];
	unsigned int n_;
	unsigned int failed_;
	uint32_t go_;		/* coordinator -> members, release */
	uint32_t stop_;		/* coordinator -> members */
};

/*
 * safe_to_free - after a run: if @still_running (a wedged thread, an IPI
 * not yet handled), something of ours may still use the run's memory, so
 * log @why, pin the module (pvk_pin_module()) and return false: the caller
 * must leave that memory allocated.  Otherwise true.
 */
bool safe_to_free(bool still_running, const char *why);

} /* namespace pv */

#endif /* PVSYNC_CREW_HPP */
