/*
 * upcall.pml - Promela model of Xen-style upcall masking as pvsync's
 * src/upcall/upcall.hpp implements it (mask, restore, unmask, the upcall
 * handler, the hypervisor's raise and deliver), under x86-TSO: CPU 0, the
 * guest's, has a FIFO store buffer with store-to-load forwarding; a
 * locked instruction or an mfence drains it.  See
 * Documentation/models.rst.
 *
 * Contexts on CPU 0: the guest thread (ROUNDS rounds of mask, masked
 * section, then restore or unmask on alternate rounds), the upcall
 * handler, and interrupts (the same-CPU hypervisor raising HV events and
 * delivering; the arrival of a remote kick).  An interrupt runs between
 * two instructions of the guest or of the handler and sees CPU 0's own
 * stores through the buffer, as a CPU does.  CPU 1 (-DREMOTE): a remote
 * writer raising RW events in guest memory (port, selector with locked
 * RMWs, pending), then, after its own full barrier, kicking CPU 0:
 * always (KICK_ALWAYS, Xen's contract) or only if it reads mask == 0
 * (kick_if_unmasked).
 *
 * Barrier at every ordering point of the guest's sequences and handler:
 * compiler-only by default (program order kept, the store buffer free);
 * -DMFENCE drains the buffer there (mfence, or a locked add).
 *
 * Properties:
 *   - no event is lost: once every raiser is done, every kick handled and
 *     the buffer drained, with the guest unmasked, nothing is left in
 *     pending, selector or port, and every event raised was handled once;
 *   - the handler never runs masked: not inside a masked section of the
 *     guest, not inside itself.
 *
 * Runs (scripts/verify): same-CPU, compiler barriers: pass; remote always
 * kick, compiler: pass; remote kick_if_unmasked, mfence: pass; remote
 * kick_if_unmasked, compiler: FAILS (the store-buffering loss).
 * Bug switches: BUG_NO_RECHECK (restore and unmask do not re-check
 * pending), BUG_LATE_CLEAR (the handler clears pending after the scan).
 */

#ifndef ROUNDS
#define ROUNDS	2
#endif
#ifndef HV
#define HV	2		/* same-CPU hypervisor events */
#endif
#ifndef RW
#define RW	1		/* remote writer events */
#endif
#ifndef SBSIZE
#define SBSIZE	3
#endif

#define A_PENDING	0
#define A_MASK		1

/* Memory. */
bit  pending, mask;
bit  sel;			/* evtchn_pending_sel: one word */
bit  port[2];			/* port 0: same-CPU hv; port 1: remote */
byte raised[2], handled[2];	/* events that found the port clear; taken */

/* CPU 0's store buffer: addresses and values, oldest first. */
bit  sb_a[SBSIZE], sb_v[SBSIZE];
byte sb_n;

/* CPU 0's contexts. */
bit  in_irq, in_upcall, redeliver;
byte ipi0;			/* kicks sent to CPU 0, not yet taken */
byte hv_left = HV;
bit  rw_done;

/* Ghosts for the checks. */
bit  in_masked_section, in_handler;

/* Drain the oldest buffered store to memory. */
inline sb_pop()
{
	if
	:: sb_a[0] == A_PENDING -> pending = sb_v[0]
	:: else -> mask = sb_v[0]
	fi;
	sb_a[0] = sb_a[1]; sb_v[0] = sb_v[1];
	sb_a[1] = sb_a[2]; sb_v[1] = sb_v[2];
	sb_a[2] = 0; sb_v[2] = 0;
	sb_n--
}

/* mfence, or the drain that starts a locked instruction. */
inline sb_drain()
{
	do
	:: sb_n > 0 -> sb_pop()
	:: else -> break
	od
}

/* A plain store on CPU 0: into the buffer. */
inline st0(a, v)
{
	atomic {
		if
		:: sb_n == SBSIZE -> sb_pop()
		:: else -> skip
		fi;
		sb_a[sb_n] = a; sb_v[sb_n] = v; sb_n++
	}
}

/* A load on CPU 0: the youngest buffered store to @a, else memory. */
inline ld0(a, dst)
{
	atomic {
		if
		:: sb_n > 2 && sb_a[2] == a -> dst = sb_v[2]
		:: else ->
			if
			:: sb_n > 1 && sb_a[1] == a -> dst = sb_v[1]
			:: else ->
				if
				:: sb_n > 0 && sb_a[0] == a -> dst = sb_v[0]
				:: else ->
					if
					:: a == A_PENDING -> dst = pending
					:: else -> dst = mask
					fi
				fi
			fi
		fi
	}
}

/* The barrier at an ordering point. */
inline order()
{
#ifdef MFENCE
	atomic { sb_drain() }
#else
	skip
#endif
}

/* The hypervisor's return-to-guest check on CPU 0: deliver if pending
 * and not masked (as CPU 0 sees them). */
inline deliver_if_due()
{
	/* model: upcall.deliver */
	ld0(A_PENDING, t);
	ld0(A_MASK, u);
	if
	:: t && !u ->
		if
		:: in_upcall -> redeliver = 1
		:: else -> in_upcall = 1
		fi
	:: else -> skip
	fi;
	t = 0; u = 0
}

/* The guest thread on CPU 0; frozen while an interrupt or the upcall
 * handler runs on its CPU. */
proctype guest() provided (!in_irq && !in_upcall)
{
	byte r = 0;
	bit  old, t, u;

	do
	:: r == ROUNDS -> break
	:: else ->
		/* mask() */
		/* model: upcall.mask */
		ld0(A_MASK, old);
		st0(A_MASK, 1);
		order();
		in_masked_section = 1;
		/* the masked section */
		in_masked_section = 0;
		if
		:: r % 2 == 0 ->
			/* restore(old) */
			order();
			/* model: upcall.restore.store */
			st0(A_MASK, old);
			order();
#ifndef BUG_NO_RECHECK
			/* model: upcall.restore.recheck */
			if
			:: old == 0 ->
				ld0(A_PENDING, t);
				if
				:: t -> deliver_if_due()	/* force_callback */
				:: else -> skip
				fi
			:: else -> skip
			fi;
#endif
			t = 0
		:: else ->
			/* unmask() */
			order();
			/* model: upcall.unmask.store */
			st0(A_MASK, 0);
			order();
#ifndef BUG_NO_RECHECK
			/* model: upcall.unmask.recheck */
			ld0(A_PENDING, t);
			if
			:: t -> deliver_if_due()		/* force_callback */
			:: else -> skip
			fi;
#endif
			t = 0
		fi;
		old = 0;
		r++
	od;

	/* quiescent: every raiser done, every kick taken, the buffer
	 * drained; the guest unmasked */
	hv_left == 0 && rw_done && ipi0 == 0 && !in_upcall && !in_irq && sb_n == 0;
	assert(!pending && !sel && !port[0] && !port[1] &&
	       raised[0] == handled[0] && raised[1] == handled[1]);	/* no event lost */
}

/* The upcall handler, entered (in_upcall) unmasked with pending set;
 * frozen while an interrupt runs. */
active proctype handler() provided (!in_irq)
{
	bit  old, t, u, s, b;

end_idle:
	do
	:: in_upcall ->
		/* model: upcall.handler */
		assert(!in_masked_section && !in_handler);	/* never masked */
		ld0(A_MASK, old);
		st0(A_MASK, 1);
		order();
		in_handler = 1;
again:
#ifndef BUG_LATE_CLEAR
		/* model: upcall.handler.clear_pending */
		st0(A_PENDING, 0);
		order();
#endif
		/* xchg of the selector, then of the port word: locked */
		atomic { sb_drain(); s = sel; sel = 0 };
		if
		:: s ->
			atomic {
				sb_drain();
				if
				:: port[0] -> port[0] = 0; handled[0]++
				:: else -> skip
				fi;
				if
				:: port[1] -> port[1] = 0; handled[1]++
				:: else -> skip
				fi
			}
		:: else -> skip
		fi;
		s = 0;
#ifdef BUG_LATE_CLEAR
		st0(A_PENDING, 0);
#endif
		order();
		ld0(A_PENDING, t);
		if
		:: t -> t = 0; goto again
		:: else -> skip
		fi;
		in_handler = 0;
		/* restore(old): old is 0, the handler was entered unmasked */
		order();
		st0(A_MASK, old);
		order();
#ifndef BUG_NO_RECHECK
		if
		:: old == 0 ->
			ld0(A_PENDING, t);
			if
			:: t -> t = 0; deliver_if_due()	/* force_callback */
			:: else -> skip
			fi
		:: else -> skip
		fi;
#endif
		old = 0;
		atomic {
			if
			:: redeliver -> redeliver = 0	/* delivered again meanwhile */
			:: else -> in_upcall = 0
			fi
		}
	od
}

/* Interrupts on CPU 0: the same-CPU hypervisor, and remote kicks. */
active proctype irq0()
{
	bit  t, u;

end_idle:
	do
	:: atomic { hv_left > 0 && !in_irq -> in_irq = 1; hv_left-- };
		/* hv_raise(port 0): locked RMWs on port and selector, then
		 * a plain store of pending */
		/* model: upcall.hv_raise */
		atomic {
			sb_drain();
			if
			:: !port[0] -> port[0] = 1; raised[0]++
			:: else -> skip
			fi;
			sel = 1
		};
		st0(A_PENDING, 1);
		/* hv_deliver() */
		deliver_if_due();
		in_irq = 0
	:: atomic { ipi0 > 0 && !in_irq -> in_irq = 1; ipi0-- };
		deliver_if_due();
		in_irq = 0
	od
}

#ifdef REMOTE
/* The remote writer on CPU 1.  Its stores are followed by its full
 * barrier before its one load, so they are written to memory directly. */
active proctype remote()
{
	byte n = 0;

	do
	:: n < RW ->
		/* model: upcall.remote_raise */
		atomic {
			if
			:: !port[1] -> port[1] = 1; raised[1]++
			:: else -> skip
			fi
		};
		sel = 1;
		pending = 1;
		/* full barrier on CPU 1; then the kick policy */
#ifdef KICK_ALWAYS
		ipi0++;
#else
		if
		:: mask == 0 -> ipi0++		/* kick_if_unmasked */
		:: else -> skip
		fi;
#endif
		n++
	:: else -> break
	od;
	rw_done = 1
}
#endif

/* CPU 0's store buffer drains by itself, oldest first. */
active proctype drain0()
{
end_idle:
	do
	:: atomic { sb_n > 0 -> sb_pop() }
	od
}

init
{
#ifndef REMOTE
	rw_done = 1;
#endif
	run guest()
}
