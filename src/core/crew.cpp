// SPDX-License-Identifier: GPL-2.0
/*
 * crew.cpp - see crew.hpp.
 */
#include <stdint.h>

#include <pvsync/kapi.h>
#include "core/atomic.hpp"
#include "core/crew.hpp"

namespace pv {

bool wait_flag(const uint32_t *flag, unsigned int timeout_ms)
{
	/* Pairs with the setter's release of @flag. */
	return wait_until([flag] { return smp_load_acquire(flag) != 0; },
			  timeout_ms);
}

int Crew::member_main(void *arg)
{
	auto *m = static_cast<Member *>(arg);
	Crew *c = m->crew;

	if (m->prepare)
		m->prepare(m->arg);
	/* Pairs with the acquire in wait_started() and started(). */
	smp_store_release(&m->started, 1u);
	/*
	 * Pairs with the release of go in go(): what the coordinator set up
	 * is visible once go is.  Spinning (not sleeping) so that the
	 * members leave together.
	 */
	while (!smp_load_acquire(&c->go_)) {
		if (c->stopping())
			goto out;
		cpu_relax();
		pvk_cond_resched();
	}
	m->body(m->arg);
out:
	/* The body's results before finished: pairs with all_finished(). */
	smp_store_release(&m->finished, 1u);
	while (!pvk_thread_should_stop())
		pvk_msleep_interruptible(1);
	return 0;
}

void Crew::reset()
{
	for (unsigned int i = 0; i < max_members; i++)
		m_[i] = Member{};
	n_ = 0;
	failed_ = 0;
	WRITE_ONCE(go_, 0u);
	WRITE_ONCE(stop_, 0u);
}

bool Crew::add(unsigned int cpu, Fn body, void *arg, const char *name,
	       Fn prepare)
{
	if (n_ >= max_members) {
		failed_++;
		return false;
	}
	Member *m = &m_[n_++];

	m->crew = this;
	m->body = body;
	m->prepare = prepare;
	m->arg = arg;
	m->cpu = cpu;
	m->thread = pvk_thread_start(member_main, m, cpu, name);
	if (!m->thread)
		failed_++;
	return m->thread != nullptr;
}

unsigned int Crew::started() const
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < n_; i++) {
		/* Pairs with member_main()'s release of started. */
		if (m_[i].thread && smp_load_acquire(&m_[i].started))
			n++;
	}
	return n;
}

bool Crew::wait_started(unsigned int timeout_ms)
{
	if (failed_)
		return false;
	return wait_until([this] { return started() == n_; }, timeout_ms);
}

bool Crew::all_finished() const
{
	for (unsigned int i = 0; i < n_; i++) {
		/* Pairs with member_main()'s release of finished. */
		if (m_[i].thread && !smp_load_acquire(&m_[i].finished))
			return false;
	}
	return true;
}

bool Crew::wait_finished(unsigned int timeout_ms)
{
	return wait_until([this] { return all_finished(); }, timeout_ms);
}

unsigned int Crew::finish(unsigned int timeout_ms)
{
	unsigned int wedged = 0;

	stop();
	wait_finished(timeout_ms);
	for (unsigned int i = 0; i < n_; i++) {
		Member *m = &m_[i];

		if (!m->thread || m->stopped)
			continue;
		/* Pairs with member_main()'s release of finished. */
		if (!smp_load_acquire(&m->finished)) {
			/* Never stop a thread that is still running: the
			 * stop would wait for it for ever. */
			wedged++;
			continue;
		}
		pvk_thread_stop(m->thread);
		m->stopped = true;
	}
	return wedged;
}

bool safe_to_free(bool still_running, const char *why)
{
	if (!still_running)
		return true;
	pvk_log(PVK_LOG_ERR, "pvsync: %s; leaking the run's memory", why);
	pvk_pin_module(why);
	return false;
}

} /* namespace pv */
