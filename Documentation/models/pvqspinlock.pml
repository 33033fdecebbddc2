/*
 * pvqspinlock.pml - Promela model of pvsync's paravirt queued spinlock
 * (src/locks/pv/pvqspinlock.hpp, pv_hash.hpp, pv_backend.hpp, and the
 * slow path of src/locks/qspinlock.hpp it plugs into), after Linux 6.1
 * kernel/locking/qspinlock_paravirt.h.  See Documentation/models.rst.
 *
 * NCPU vCPUs take a lock, vCPU 0 ROUNDS0 times and the others ROUNDS
 * times (the lock chosen freely among NLOCK each time), with a
 * one-instruction critical section.  Every lock hashes to
 * entry 0 of an HSIZE-entry table: the locks always collide.  The
 * hypervisor may deschedule any vCPU between any two steps (interleaving)
 * and may end a halt without a kick (spurious wakeup) up to SPURIOUS
 * times; the run decides at start whether it does so at all, so that the
 * liveness runs also see a hypervisor that never wakes anyone unasked.
 *
 * Each "model:" comment names a step listed in steps.txt and marked in
 * the C++ source (scripts/verify checks that they match).
 *
 * Properties (scripts/verify runs them):
 *   safety: assertions (mutual exclusion, one entry per lock, no unhash of
 *           another lock's entry, no missing entry at unlock, table never
 *           full, no corrupted locked byte) and the monitor "a word
 *           holding S has its hash entry"; invalid end states are waiters
 *           halted for good (a lost kick with spurious wakeups exhausted)
 *   ltl halt_ends: every halted vCPU eventually runs again (-a -f)
 *   ltl acquires:  every waiter eventually holds its lock (-a -f)
 *
 * Bug switches (-D), each refuted by a counterexample:
 *   BUG_SEED_UNHASH      the slow_set-less unhash of seeds/002: a woken
 *                        head clears the slot it hashed, which the
 *                        unlocker already freed and a colliding lock may
 *                        own by now
 *   BUG_S_EVERY_PASS     the xchg of S outside the hash-once block: S is
 *                        set on every halting pass
 *   BUG_STATE_WRITE      pv_wait_node's halted -> running cmpxchg as a
 *                        plain store (the 2016 double-hash fix)
 *   BUG_NO_STORE_MB      pv_wait_node without its StoreLoad barrier
 *   BUG_UNLOCK_IGNORES_S the unlock stores 0 over S and never kicks
 *   DEV_UNHASH_FIRST     pvsync's xchg == 0 branch as the C++ has it today:
 *                        the entry is freed before S is replaced by 1
 *                        (issue 11, item 6); breaks the strict monitor
 */

#ifndef NCPU
#define NCPU	3
#endif
#ifndef NLOCK
#define NLOCK	2
#endif
/* vCPU 0 takes a lock ROUNDS0 times, the others ROUNDS times */
#ifndef ROUNDS0
#define ROUNDS0	2
#endif
#ifndef ROUNDS
#define ROUNDS	1
#endif
#ifndef HSIZE
#define HSIZE	2
#endif
#ifndef SPURIOUS
#define SPURIOUS 1
#endif

#define S	3		/* _Q_SLOW_VAL */
#define NONE	255		/* no hash slot */

/* PvState */
#define RUNNING	0
#define HALTED	1
#define HASHED	2

/* The lock words: (tail, pending, locked); tail is cpu + 1 or 0. */
byte lk_locked[NLOCK];
bit  lk_pending[NLOCK];
byte lk_tail[NLOCK];

/* One MCS node per vCPU (no nesting in the model). */
bit  nd_locked[NCPU];
byte nd_next[NCPU];		/* cpu + 1 or 0 */
byte nd_state[NCPU];		/* RUNNING, HALTED, HASHED */

/* The hypervisor: a kick pending for the vCPU's next halt, and whether it
 * is halted right now. */
bit  kick[NCPU];
bit  halted[NCPU];
byte spur;			/* spurious wakeups left */

/* The hash table: lock + 1 (0 free) and node (cpu + 1). */
byte h_lock[HSIZE];
byte h_node[HSIZE];

/* Ghosts for the properties; the failure flags are where the kernel
 * BUG()s (and pvsync records a failure). */
bit  hash_full, unhash_missing, bad_unlock_val;
byte cs[NLOCK];			/* vCPUs inside the critical section */
bit  unhashing[NLOCK];		/* the owner is between unhash and release */
bit  wt[NCPU];			/* waiting for a lock (in lock()) */

#define has_entry(l)	(h_lock[0] == (l) + 1 || h_lock[1] == (l) + 1)
#define nr_entries(l)	((h_lock[0] == (l) + 1) + (h_lock[1] == (l) + 1))
#define s_ok(l)		(lk_locked[l] != S || has_entry(l) || unhashing[l])

/*
 * pv_wait(ptr, val): halt unless *ptr != val; a kick (pending or later)
 * or a spurious wakeup ends the halt.  kvm_wait() checks with irqs off,
 * then halts; a kick between the two makes the halt return at once (the
 * flag), so check and halt-entry are one step here.
 */
inline pv_wait(ptr, val)
{
	/* model: pvq.backend.wait */
	atomic {
		if
		:: ptr != val -> skip
		:: else -> halted[me] = 1
		fi
	}
	if
	:: halted[me] ->
		atomic {
			if
			:: kick[me] -> kick[me] = 0
			:: spur > 0 -> spur--
			fi;
			halted[me] = 0
		}
	:: else -> skip
	fi
}

/* pv_kick(cpu) */
inline pv_kick(c)
{
	/* model: pvq.backend.kick */
	kick[c] = 1
}

/*
 * pv_hash(l, node): claim the first free entry from the lock's bucket (0
 * for every lock) with one cmpxchg and fill in the node.  The node store
 * is folded into the claim: it is read only by an unlocker that saw S,
 * which is stored after pv_hash() returns.
 */
inline pv_hash(l, n, slot)
{
	slot = 0;
	do
	:: slot < HSIZE ->
		/* model: pvq.hash.claim */
		atomic {
			if
			:: h_lock[slot] == 0 ->
				h_lock[slot] = l + 1;
				h_node[slot] = n + 1;
				assert(nr_entries(l) == 1);	/* one entry per lock */
				break
			:: else -> slot++
			fi
		}
	:: else -> atomic { hash_full = 1; assert(!hash_full) }
	od
}

active proctype monitor_s_entry()
{
	/* a word holding S has its hash entry (but while its unlocker is
	 * between the unhash and the release) */
end_mon:
	atomic { !(s_ok(0) && s_ok(NLOCK - 1)) -> assert(s_ok(0) && s_ok(NLOCK - 1)) }
}

proctype cpu(byte me)
{
	byte r = 0;		/* rounds done */
	byte l;			/* this round's lock */
	byte prev, next;	/* cpu + 1 or 0 */
	byte lp;		/* the slot pv_wait_head_or_lock hashed */
	byte t;			/* scratch */
	bit  hashed, waited;

	do
	:: r == (me == 0 -> ROUNDS0 : ROUNDS) -> break
	:: else ->
		/* pick the lock */
		if
		:: l = 0
#if NLOCK > 1
		:: l = 1
#endif
		fi;
		wt[me] = 1;

		/* lock(): the fast path, 0,0,0 -> 0,0,1 */
		atomic {
			if
			:: lk_locked[l] == 0 && lk_pending[l] == 0 && lk_tail[l] == 0 ->
				lk_locked[l] = 1;
				goto locked
			:: else -> skip
			fi
		}

		/* the slow path: paravirt, so straight to the queue;
		 * pv_init_node: running, the node's old kick cleared */
		atomic {
			nd_locked[me] = 0;
			nd_next[me] = 0;
			nd_state[me] = RUNNING;
			kick[me] = 0
		}

		/* pv_hybrid_queued_unfair_trylock */
		/* model: pvq.unfair_trylock */
trylock:
		if
		:: atomic { lk_locked[l] == 0 && lk_pending[l] == 0 -> t = (lk_tail[l] != 0) }
			if
			:: atomic { lk_locked[l] == 0 -> lk_locked[l] = 1 };
				t = 0;
				goto locked	/* stole it (gives the node back) */
			:: else ->
				if
				:: t -> t = 0; goto trylock	/* a queue without pending: spin */
				:: else -> skip			/* no queue: queue */
				fi
			fi
		:: atomic { !(lk_locked[l] == 0 && lk_pending[l] == 0) ->
				t = (lk_tail[l] == 0 || lk_pending[l]) }
			if
			:: t -> t = 0			/* no queue or pending: queue */
			:: else -> goto trylock		/* spin */
			fi
		fi;

		/* xchg_tail: p,x,y -> n,x,y */
		/* model: pvq.slowpath.xchg_tail */
		atomic { prev = lk_tail[l]; lk_tail[l] = me + 1 }

		if
		:: prev != 0 ->
			nd_next[prev - 1] = me + 1;
			prev = 0;

			/* pv_wait_node */
wait_node:
			/* spin SpinThreshold times, or halt early: any time */
			if
			:: nd_locked[me] -> goto node_done
			:: true -> skip
			fi;
			/* model: pvq.wait_node.store_halted */
#ifdef BUG_NO_STORE_MB
			/* no StoreLoad barrier: x86-TSO lets the load of
			 * node->locked pass the buffered store of the state */
			t = nd_locked[me];
			nd_state[me] = HALTED;
#else
			nd_state[me] = HALTED;
			t = nd_locked[me];
#endif
			if
			:: !t -> pv_wait(nd_state[me], HALTED)
			:: else -> skip
			fi;
			t = 0;
			/* model: pvq.wait_node.cmpxchg_running */
#ifdef BUG_STATE_WRITE
			nd_state[me] = RUNNING;
#else
			atomic {
				if
				:: nd_state[me] == HALTED -> nd_state[me] = RUNNING
				:: else -> skip
				fi
			}
#endif
			if
			:: nd_locked[me] -> skip
			:: else -> goto wait_node	/* spurious wakeup */
			fi;
node_done:
			/* smp_cond_load_acquire(&node->locked) */
			nd_locked[me] == 1;
			next = nd_next[me]
		:: else -> skip
		fi;

		/* pv_wait_head_or_lock */
		hashed = (nd_state[me] == HASHED);
		lp = NONE;
		waited = 0;
wait_head:
		nd_state[me] = RUNNING;
		lk_pending[l] = 1;
		/* pv_trylock_clear_pending, SpinThreshold times; the head
		 * spins out only after a try that found the lock held */
		if
		:: atomic { lk_locked[l] == 0 && lk_pending[l] == 1 ->
				lk_locked[l] = 1; lk_pending[l] = 0 };
			goto gotlock
		:: lk_locked[l] != 0 -> skip
		fi;
		lk_pending[l] = 0;
#ifdef BUG_S_EVERY_PASS
		if
		:: !hashed ->
			pv_hash(l, me, lp);
			hashed = 1
		:: else -> skip
		fi;
		atomic { t = lk_locked[l]; lk_locked[l] = S };
		if
		:: t == 0 ->
			t = 0;
			lk_locked[l] = 1;
			if
			:: lp != NONE -> h_lock[lp] = 0; lp = NONE
			:: else -> skip
			fi;
			goto gotlock
		:: else -> t = 0
		fi;
#else
		if
		:: !hashed ->
			/* model: pvq.wait_head.hash */
			pv_hash(l, me, lp);
			hashed = 1;
			/* model: pvq.wait_head.xchg_slow */
			atomic { t = lk_locked[l]; lk_locked[l] = S };
			if
			:: t == 0 ->
				/* the lock was free: ours; the entry too */
				t = 0;
				/* model: pvq.wait_head.xchg0_unhash */
#ifdef DEV_UNHASH_FIRST
				atomic { assert(h_lock[lp] == l + 1); h_lock[lp] = 0 };
				lp = NONE;
				lk_locked[l] = 1;
#else
				lk_locked[l] = 1;
				atomic { assert(h_lock[lp] == l + 1); h_lock[lp] = 0 };
				lp = NONE;
#endif
				goto gotlock
			:: else -> t = 0
			fi
		:: else -> skip
		fi;
#endif
		nd_state[me] = HASHED;
		/* model: pvq.wait_head.halt */
		pv_wait(lk_locked[l], S);
		waited = 1;
		goto wait_head;
gotlock:
#ifdef BUG_SEED_UNHASH
		/* "woken and got the lock: unhash" */
		if
		:: waited && lp != NONE ->
			atomic {
				/* no unhash of another lock's entry */
				assert(h_lock[lp] == 0 || h_lock[lp] == l + 1);
				h_lock[lp] = 0
			}
		:: else -> skip
		fi;
#endif
		lp = NONE;
		waited = 0;
		hashed = 0;

		/* claim: n,0,l -> 0,0,1 if still the tail, else set_locked
		 * and hand the head over to the successor */
		/* model: pvq.slowpath.claim */
		atomic {
			if
			:: lk_tail[l] == me + 1 ->
				lk_tail[l] = 0; lk_locked[l] = 1;
				next = 0;
				goto locked
			:: else -> lk_locked[l] = 1
			fi
		}
		if
		:: next == 0 -> atomic { nd_next[me] != 0 -> next = nd_next[me] }
		:: else -> skip
		fi;
		/* model: pvq.slowpath.handover */
		nd_locked[next - 1] = 1;

		/* pv_kick_node */
		/* model: pvq.kick_node.cmpxchg_hashed */
		atomic {
			if
			:: nd_state[next - 1] == HALTED -> nd_state[next - 1] = HASHED; t = 1
			:: else -> t = 0
			fi
		}
		if
		:: t ->
			t = 0;
			/* model: pvq.kick_node.hash */
			pv_hash(l, next - 1, lp);
			lp = NONE;
			lk_locked[l] = S
		:: else -> skip
		fi;
		next = 0;

locked:
		/* the critical section */
		atomic { wt[me] = 0; cs[l]++; assert(cs[l] == 1) };	/* mutual exclusion */
		cs[l]--;

		/* unlock() */
#ifdef BUG_UNLOCK_IGNORES_S
		lk_locked[l] = 0;
#else
		/* model: pvq.unlock.cmpxchg */
		atomic {
			if
			:: lk_locked[l] == 1 -> lk_locked[l] = 0; goto unlocked
			:: else -> t = lk_locked[l]
			fi
		}
		/* pv_unlock_slowpath */
		atomic { bad_unlock_val = (t != S); assert(!bad_unlock_val) };
		t = 0;
		/* model: pvq.unlock.unhash */
		/* model: pvq.hash.remove */
		atomic {
			do
			:: t < HSIZE && h_lock[t] == l + 1 ->
				next = h_node[t]; h_lock[t] = 0; break
			:: t < HSIZE && h_lock[t] != l + 1 -> t++
			:: t == HSIZE -> unhash_missing = 1; assert(!unhash_missing)
			od;
			t = 0;
			unhashing[l] = 1
		}
		atomic { lk_locked[l] = 0; unhashing[l] = 0 };
		/* model: pvq.unlock.kick */
		pv_kick(next - 1);
		next = 0;
#endif
unlocked:
		l = 0;
		r++
	od
}

init
{
	byte i = 0;

	/* the hypervisor wakes spuriously this run, or never */
	if
	:: spur = SPURIOUS
	:: spur = 0
	fi;
	atomic {
		do
		:: i < NCPU -> run cpu(i); i++
		:: else -> break
		od
	}
}

ltl halt_ends {
	[] ((halted[0] -> <> !halted[0]) && (halted[1] -> <> !halted[1]) &&
	    (halted[2] -> <> !halted[2]))
}

ltl acquires {
	[] ((wt[0] -> <> !wt[0]) && (wt[1] -> <> !wt[1]) && (wt[2] -> <> !wt[2]))
}
