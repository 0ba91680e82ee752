/*
 * securesum_internal.h: the handle of libsecuresum (include/securesum.h),
 * which securesum_settings.c (its settings) and securesum.c (the
 * operations over it) share. Not for other modules.
 */
#ifndef SS_CLIENT_SECURESUM_INTERNAL_H
#define SS_CLIENT_SECURESUM_INTERNAL_H

#include "securesum.h"

#include "err.h"

struct securesum {
	char *server, *server_name, *certs, *party, *state, *trace;
	unsigned timeout_s;
	int wait;
	securesum_log_fn *log;
	void *log_arg;
	securesum_progress_fn *progress;
	void *progress_arg;
	securesum_step_fn *step;
	void *step_arg;
	struct ss_error err;       /* the last failure */
};

#endif
