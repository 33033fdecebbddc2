/*
 * pi_desc.pml - Promela model of the VMX posted-interrupt descriptor
 * protocol of src/pi_desc/pi_desc.hpp, driven as src/pi_desc/experiment.cpp
 * drives it: one vCPU that loads on a pCPU (migrating freely among NPCPU),
 * runs and harvests, then is preempted (SN) or blocks (NV := wakeup); an
 * IOMMU that posts POSTS vectors (PIR bit, then ON unless SN or ON, and a
 * notification to the NDST in the word it replaced, with that word's NV);
 * and the notification handlers (the notification vector asks the vCPU
 * to harvest; the wakeup vector wakes it if it is blocked on that CPU and
 * ON is set).  See Documentation/models.rst.
 *
 * Properties (scripts/verify runs them):
 *   - no posted vector is lost: after the last post and the vCPU's final
 *     load and harvest, every distinct post was harvested exactly once;
 *   - a blocked vCPU with a pending vector is always woken: a block ends
 *     only by a wakeup, or, once the IOMMU is done and no notification is
 *     in flight, by the vCPU's own timer if nothing is pending; a blocked
 *     vCPU left with a vector pending is an invalid end state;
 *   - notifications go to the NDST in force: a wakeup-vector notification
 *     names the CPU the vCPU blocked on, and arrives there while it is
 *     blocked there; every (NV, NDST) the IOMMU reads is one a writer
 *     wrote as a whole.
 *
 * Bug switches (-D):
 *   BUG_NO_SELF_NOTIFY  pi_block()'s caller ignores notify_self
 *   BUG_PLAIN_STORE     the update is read, modify, plain store of the
 *                       whole word (Rmw::plain_store): a concurrent ON is lost
 *   BUG_STALE_NDST      pi_load() without .with_ndst: NDST stays where the
 *                       vCPU was first loaded
 *   BUG_TORN_FIELDS     pi_load() writes NDST and NV by two plain field
 *                       stores (ON left alone)
 */

#ifndef NPCPU
#define NPCPU	2
#endif
#ifndef NVEC
#define NVEC	2
#endif
#ifndef POSTS
#define POSTS	3
#endif
#ifndef CYCLES
#define CYCLES	4
#endif

#define NOTIF	0		/* posted_intr_vector */
#define WAKEUP	1		/* posted_intr_wakeup_vector */
#define NONE	255

/* The control word: ON, SN, NV, NDST (NDST is the pCPU's id). */
bit  on, sn, nv;
byte ndst;
bit  pir[NVEC];

/* The vCPU as the handlers see it. */
byte blocked_on = NONE;
bit  wake, kickf;

/* Notifications in flight: (pCPU, vector). */
chan ipi = [POSTS + CYCLES] of { byte, bit };

bit  iommu_done;
bit  sleeping;			/* the vCPU is blocked, asleep */

/* Ghosts: posts that found the PIR bit clear, bits harvested, and the
 * last (NV, NDST) written as a whole. */
byte posted[NVEC], received[NVEC];
bit  w_nv;
byte w_ndst;

#define pir_any		(pir[0] || pir[NVEC - 1])

/* harvest(): clear ON, then take the PIR word (one xchg here: the NVEC
 * vectors share a word). */
inline harvest()
{
	/* model: pi.harvest */
	if
	:: atomic { on -> on = 0 };
		atomic {
			i = 0;
			do
			:: i < NVEC ->
				if
				:: pir[i] -> pir[i] = 0; received[i]++
				:: else -> skip
				fi;
				i++
			:: else -> i = 0; break
			od
		}
	:: else -> skip
	fi
}

/* Snapshot the control word (READ_ONCE, or what the cmpxchg found). */
inline snap()
{
	atomic { o_on = on; o_sn = sn; o_nv = nv; o_ndst = ndst }
}

#define unchanged	(on == o_on && sn == o_sn && nv == o_nv && ndst == o_ndst)

proctype vcpu()
{
	byte c = 0, pcpu = 0, i = 0;
	bit  o_on, o_sn, o_nv;
	byte o_ndst;
	bit  t;

	do
	:: /* load on a pCPU, any */
		if
		:: pcpu = 0
		:: pcpu = 1
		fi;
		blocked_on = NONE;	/* off the wakeup list first */

		/* pi_load(): NDST := pcpu, NV := notification, SN := 0 */
		/* model: pi.load.update */
		snap();
#if defined(BUG_TORN_FIELDS)
		ndst = pcpu;
		atomic { nv = NOTIF; sn = 0; w_nv = NOTIF; w_ndst = pcpu };
#elif defined(BUG_PLAIN_STORE)
		atomic { on = o_on; sn = 0; nv = NOTIF; ndst = pcpu;
			 w_nv = NOTIF; w_ndst = pcpu };
#else
load_retry:
		/* model: pi.update.cmpxchg */
		atomic {
			if
			:: unchanged ->
				sn = 0; nv = NOTIF;
#ifdef BUG_STALE_NDST
				w_nv = NOTIF; w_ndst = ndst
#else
				ndst = pcpu;
				w_nv = NOTIF; w_ndst = pcpu
#endif
			:: else ->
				o_on = on; o_sn = sn; o_nv = nv; o_ndst = ndst;
				goto load_retry
			fi
		}
#endif
		/* full barrier (the cmpxchg64); then ON := 1 if PIR holds
		 * anything */
		/* model: pi.load.recompute_on */
		atomic {
			if
			:: pir_any && !on -> on = 1
			:: else -> skip
			fi
		}

		/* run: harvest when notified, and once more on the way in */
		do
		:: atomic { kickf -> kickf = 0 }; harvest()
		:: break
		od;
		harvest();
		c++;
		if
		:: c == CYCLES -> break
		:: else -> skip
		fi;

		/* put: preempted (SN), or blocked (NV := wakeup) */
		if
		:: atomic { sn = 1 }
		:: wake = 0;
			blocked_on = pcpu;
			/* pi_block() */
			/* model: pi.block.update */
			snap();
#ifdef BUG_PLAIN_STORE
			atomic { on = o_on; sn = o_sn; nv = WAKEUP; ndst = o_ndst;
				 w_nv = WAKEUP; w_ndst = o_ndst; t = o_on };
#else
block_retry:
			/* model: pi.update.cmpxchg */
			atomic {
				if
				:: unchanged ->
					nv = WAKEUP;
					w_nv = WAKEUP; w_ndst = ndst;
					t = on		/* notify_self */
				:: else ->
					o_on = on; o_sn = sn; o_nv = nv; o_ndst = ndst;
					goto block_retry
				fi
			}
#endif
			/* model: pi.block.notify_self */
#ifndef BUG_NO_SELF_NOTIFY
			if
			:: t -> ipi!ndst,WAKEUP
			:: else -> skip
			fi;
#endif
			t = 0;
			/* sleep until the wakeup handler wakes us; the timer
			 * ends the sleep only when nothing is, or will be,
			 * pending */
			sleeping = 1;
			if
			:: atomic { wake == 1 -> sleeping = 0 }
			:: atomic { iommu_done && len(ipi) == 0 && !pir_any -> sleeping = 0 }
			fi
		fi;
		o_on = 0; o_sn = 0; o_nv = 0; o_ndst = 0
	od;

	/* the final sync, after the IOMMU is done and every notification
	 * handled: load where we are, harvest, count */
	iommu_done && len(ipi) == 0;
	atomic {
		if
		:: pir_any && !on -> on = 1
		:: else -> skip
		fi
	};
	harvest();
	atomic {
		i = 0;
		do
		:: i < NVEC ->
			assert(posted[i] == received[i]);	/* no vector lost */
			i++
		:: else -> break
		od
	}
}

proctype iommu()
{
	byte p = 0, v;

	do
	:: p < POSTS ->
		if
		:: v = 0
		:: v = NVEC - 1
		fi;
		/* model: pi.post.pir */
		atomic {
			if
			:: !pir[v] -> pir[v] = 1; posted[v]++
			:: else -> skip
			fi
		}
		/* ON := 1 unless SN or ON; notify NDST with NV, as read */
		/* model: pi.post.on */
		atomic {
			/* every (NV, NDST) seen was written as a whole */
			assert(nv == w_nv && ndst == w_ndst);
			/* a wakeup-vector word names the CPU the vCPU blocked on */
			assert(nv != WAKEUP || blocked_on == NONE || ndst == blocked_on);
			if
			:: !sn && !on -> on = 1; ipi!ndst,nv
			:: else -> skip
			fi
		}
		p++
	:: else -> break
	od;
	iommu_done = 1
}

/* A blocked vCPU with a pending vector is always woken: once the IOMMU is
 * done and every notification handled, no vCPU sleeps with PIR set. */
active proctype lost_wakeup()
{
end_mon:
	atomic {
		iommu_done && len(ipi) == 0 && sleeping && !wake && pir_any ->
		assert(!(sleeping && !wake && pir_any))
	}
}

active proctype handlers()
{
	byte cpu;
	bit  vec;

end_idle:
	do
	:: /* model: pi.handler */
		atomic {
			ipi?cpu,vec;
			if
			:: vec == NOTIF -> kickf = 1
			:: else ->
				/* pi_wakeup_handler(): arrives where it was
				 * blocked */
				assert(blocked_on == NONE || blocked_on == cpu);
				if
				:: blocked_on == cpu && on -> wake = 1
				:: else -> skip		/* stale */
				fi
			fi;
			cpu = 0; vec = 0
		}
	od
}

init
{
	atomic {
		nv = NOTIF; ndst = 0; w_nv = NOTIF; w_ndst = 0;
		run vcpu();
		run iommu()
	}
}
