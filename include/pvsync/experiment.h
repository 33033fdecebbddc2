/* SPDX-License-Identifier: GPL-2.0 */
/*
 * experiment.h - how a pvsync experiment describes itself to the shared
 * debugfs front end (src/glue/experiment.c).
 *
 * Every experiment (locks, pvqspinlock, pi_desc, upcall) is a directory
 * under /sys/kernel/debug/pvsync/ with the same files:
 *
 *   <choice>   a choice list, "[current] other other"; writing a name
 *              selects it, anything else is -EINVAL (-ENODEV when the
 *              option cannot run on this machine)
 *   <param>    one file per numeric parameter; reads its value; a write
 *              that is not a number, has trailing garbage or is too long
 *              is -EINVAL, one out of range -ERANGE; either changes nothing
 *   run        write 1: run synchronously; -EBUSY while a run is going on
 *   reset      write 1: every parameter and choice back to its default
 *              (after pvsync.defaults); anything else is -EINVAL
 *   result     the last run as "key: value" lines, ending "verdict: PASS"
 *              or "verdict: FAIL"
 *   stats      event counters; writing 0 resets them
 *
 * The experiment itself is C++ and fills in a struct pvsync_experiment; the
 * C glue does the file handling and calls ->run() with a snapshot of the
 * parameters.  Defaults come from the table, overridden at load time by the
 * module parameter pvsync.defaults="locks.threads=8,locks.lock=ticket".
 */
#ifndef PVSYNC_EXPERIMENT_H
#define PVSYNC_EXPERIMENT_H

#ifdef __cplusplus
extern "C" {
#endif

#define PVSYNC_MAX_PARAMS 16
#define PVSYNC_MAX_CHOICES 4
#define PVSYNC_MAX_OPTIONS 8

/**
 * struct pvsync_param - one numeric parameter.
 * @name: file name.
 * @min: smallest accepted value.
 * @max: largest accepted value; bounds keep any input from exhausting
 *       memory or running for hours.
 * @def: default.
 */
struct pvsync_param {
	const char *name;
	unsigned long long min, max, def;
};

/**
 * struct pvsync_choice - one choice list.
 * @name: file name.
 * @options: the names, NULL-terminated, at most %PVSYNC_MAX_OPTIONS.
 * @def: index of the default option.
 * @available: optional; returns 0 when @option can run here, else a
 *             negative errno (-ENODEV) and a reason in @why.
 */
struct pvsync_choice {
	const char *name;
	const char *const *options;
	unsigned int def;
	int (*available)(unsigned int option, char *why, unsigned long size);
};

/**
 * struct pvsync_run_args - the snapshot of settings a run uses.
 * @param: values, in the order of &pvsync_experiment.params.
 * @choice: selected option indices, in the order of
 *          &pvsync_experiment.choices.
 */
struct pvsync_run_args {
	unsigned long long param[PVSYNC_MAX_PARAMS];
	unsigned int choice[PVSYNC_MAX_CHOICES];
};

/**
 * struct pvsync_experiment - an experiment's description.
 * @name: its directory under /sys/kernel/debug/pvsync/.
 * @params: numeric parameters, at most %PVSYNC_MAX_PARAMS.
 * @nr_params: how many.
 * @choices: choice lists, at most %PVSYNC_MAX_CHOICES.
 * @nr_choices: how many.
 * @run: run once with @args, writing the result text into @out (at most
 *       @size bytes, NUL-terminated); returns 0, or a negative errno when
 *       the run could not start (the previous result is then kept).
 *       Called in process context with no pvsync lock held but the
 *       experiment's own run mutex; must end promptly once
 *       pvk_module_unloading() or the caller has a signal pending.
 * @stats_show: write the event counters as "name: value" lines; returns
 *              the length.
 * @stats_reset: zero the event counters.
 */
struct pvsync_experiment {
	const char *name;
	const struct pvsync_param *params;
	unsigned int nr_params;
	const struct pvsync_choice *choices;
	unsigned int nr_choices;
	int (*run)(const struct pvsync_run_args *args, char *out,
		   unsigned long size);
	unsigned long (*stats_show)(char *buf, unsigned long size);
	void (*stats_reset)(void);
};

/* The experiments, defined in C++ (src/harness/experiments.cpp). */
extern const struct pvsync_experiment *const pvsync_experiments[];
extern const unsigned int pvsync_nr_experiments;

/**
 * pvsync_core_init() - set up what the C++ core needs before any
 * experiment or test runs (per-CPU queue nodes, event counters).
 *
 * Return: 0 or a negative errno.
 */
int pvsync_core_init(void);

/** pvsync_core_exit() - undo pvsync_core_init(). */
void pvsync_core_exit(void);

#ifdef __cplusplus
}
#endif

#endif /* PVSYNC_EXPERIMENT_H */
