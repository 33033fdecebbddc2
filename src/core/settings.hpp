/* SPDX-License-Identifier: GPL-2.0 */
/*
 * settings.hpp - an experiment's settings, declared once as data.
 *
 * Each experiment writes two constexpr tables over its Config struct:
 *
 *	constexpr Param<Config> params[] = {
 *		{ "duration_ms", 10, 60000, 1000, &Config::duration_ms },
 *		...
 *	};
 *	constexpr Choice<Config> choices[] = {
 *		{ "variant", variant_names.v, 0, nullptr, &Config::variant },
 *	};
 *
 * and everything else comes from them: the debugfs tables (debugfs() ->
 * struct pvsync_param / pvsync_choice, hence the files, their bounds and
 * the pvsync.defaults= module parameter), a run's Config (from_args()),
 * the defaults C++ callers use (defaults()) and the result's settings
 * lines (print()).  Adding a parameter is one row plus its use.
 *
 * A choice list is usually the names of a {name, runner} table (Option
 * below), which is how an experiment turns the chosen option into a
 * template type: options[cfg.variant].run(...), where each row's runner
 * is one instantiation, run<Variant>.
 *
 * Everything here is constexpr or a plain loop: no constructors run at
 * load time.
 */
#ifndef PVSYNC_SETTINGS_HPP
#define PVSYNC_SETTINGS_HPP

#include <pvsync/experiment.h>
#include "core/text_buf.hpp"

namespace pv {

/* A fixed-size array that constexpr functions can return. */
template <typename T, unsigned int N>
struct Array {
	T v[N];

	constexpr const T &operator[](unsigned int i) const { return v[i]; }
	static constexpr unsigned int size() { return N; }
};

/*
 * One numeric parameter: its file name, bounds, default, the Config field
 * it sets, and optionally when the result shows it as a settings line
 * (nullptr: always; e.g. only for the option that reads it).
 */
template <typename C>
struct Param {
	const char *name;
	unsigned long long min, max, def;
	unsigned int C::*field;
	bool (*shown)(const C &cfg) = nullptr;
};

/* One choice list: file name, option names (NULL-terminated), default
 * index, optional availability check, the Config field (an index), and
 * when the result shows it (as for Param). */
template <typename C>
struct Choice {
	const char *name;
	const char *const *options;
	unsigned int def;
	int (*available)(unsigned int option, char *why, unsigned long size);
	unsigned int C::*field;
	bool (*shown)(const C &cfg) = nullptr;
};

/* One row of a {name, runner} table. */
template <typename Fn>
struct Option {
	const char *name;
	Fn run;
};

/*
 * The functions have internal linkage (an unnamed namespace), as the lock
 * headers' templates do: no COMDAT copy for the module link to discard
 * (see linkage.hpp).
 */
namespace settings {
namespace {

/* The debugfs description of @params. */
template <typename C, unsigned int N>
constexpr Array<pvsync_param, N> debugfs(const Param<C> (&params)[N])
{
	static_assert(N <= PVSYNC_MAX_PARAMS, "too many parameters");
	Array<pvsync_param, N> out = {};

	for (unsigned int i = 0; i < N; i++)
		out.v[i] = { params[i].name, params[i].min, params[i].max,
			     params[i].def };
	return out;
}

/* The debugfs description of @choices. */
template <typename C, unsigned int N>
constexpr Array<pvsync_choice, N> debugfs(const Choice<C> (&choices)[N])
{
	static_assert(N <= PVSYNC_MAX_CHOICES, "too many choice lists");
	Array<pvsync_choice, N> out = {};

	for (unsigned int i = 0; i < N; i++)
		out.v[i] = { choices[i].name, choices[i].options,
			     choices[i].def, choices[i].available };
	return out;
}

/* The names of a {name, runner} table, NULL-terminated, for a Choice. */
template <typename Fn, unsigned int N>
constexpr Array<const char *, N + 1> names(const Option<Fn> (&options)[N])
{
	static_assert(N <= PVSYNC_MAX_OPTIONS, "too many options");
	Array<const char *, N + 1> out = {};

	for (unsigned int i = 0; i < N; i++)
		out.v[i] = options[i].name;
	out.v[N] = nullptr;
	return out;
}

/* The name of option @i of a NULL-terminated list, "?" when out of range. */
inline const char *option_name(const char *const *options, unsigned int i)
{
	for (unsigned int k = 0; options[k]; k++) {
		if (k == i)
			return options[k];
	}
	return "?";
}

/*
 * A Config from a debugfs run's snapshot @args (in table order), or the
 * defaults when @args is nullptr.  The glue has already bounded every
 * value by the table.
 */
template <typename C, unsigned int NP, unsigned int NC>
C from_args(const Param<C> (&params)[NP], const Choice<C> (&choices)[NC],
	    const pvsync_run_args *args)
{
	C cfg = {};

	for (unsigned int i = 0; i < NP; i++)
		cfg.*params[i].field = static_cast<unsigned int>(
			args ? args->param[i] : params[i].def);
	for (unsigned int i = 0; i < NC; i++)
		cfg.*choices[i].field = args ? args->choice[i] : choices[i].def;
	return cfg;
}

template <typename C, unsigned int NP, unsigned int NC>
C defaults(const Param<C> (&params)[NP], const Choice<C> (&choices)[NC])
{
	return from_args(params, choices, nullptr);
}

/* The settings lines of a result: the choices by name, then the params,
 * each in table order, skipping rows not shown for @cfg. */
template <typename C, unsigned int NP, unsigned int NC>
void print(TextBuf &out, const Param<C> (&params)[NP],
	   const Choice<C> (&choices)[NC], const C &cfg)
{
	for (unsigned int i = 0; i < NC; i++) {
		if (!choices[i].shown || choices[i].shown(cfg))
			out.kv(choices[i].name,
			       option_name(choices[i].options,
					   cfg.*choices[i].field));
	}
	for (unsigned int i = 0; i < NP; i++) {
		if (!params[i].shown || params[i].shown(cfg))
			out.kv(params[i].name, cfg.*params[i].field);
	}
}

} /* namespace */
} /* namespace settings */

} /* namespace pv */

#endif /* PVSYNC_SETTINGS_HPP */
