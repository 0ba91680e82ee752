/*
 * api_copy.h: the library's answers (include/securesum.h) copied out of
 * the client's wire structs, so that a caller owns what it is given and
 * frees it with the matching securesum_*_free, and those freed again.
 */
#ifndef SS_CLIENT_API_COPY_H
#define SS_CLIENT_API_COPY_H

#include <stddef.h>

#include "securesum.h"

#include "client.h"
#include "err.h"
#include "pin.h"
#include "wire.h"

void api_names_free(struct securesum_names *l);
/* api_names_free of each list of lists, up to a NULL. */
void api_names_free_each(struct securesum_names *const *lists);
/* A copy of the n names of v into l (l freed by api_names_free). */
int api_names_copy(struct securesum_names *l, const char *const *v, size_t n,
    struct ss_error *e) SS_WUR;
/* The same from a list of the wire. */
int api_wire_names_copy(struct securesum_names *l, const struct wire_names *w,
    struct ss_error *e) SS_WUR;
/* The conflicts of st, with whether each was proven here, into *out. */
int api_conflicts_copy(struct securesum_conflict **out, size_t *n,
    const struct wire_response *st, const unsigned char *proven,
    struct ss_error *e) SS_WUR;
void api_conflicts_free(struct securesum_conflict *cf, size_t n);
/* result's verdict v on parameters p and cohort into r (but its sum). */
int api_verdict_copy(struct securesum_result *r, const struct wire_params *p,
    const struct wire_names *cohort, const struct result_verdict *v,
    struct ss_error *e) SS_WUR;
/* status's answer st and what it adds, v, into s. */
int api_status_copy(struct securesum_status *s, const struct wire_response *st,
    const struct status_view *v, struct ss_error *e) SS_WUR;
/* GetServerInfo's answer in into out, its version made printable. */
void api_server_info_copy(struct securesum_server_info *out,
    const struct wire_server_info *in);
/* A pin of the API as the command line's, checked for session. */
int api_pin(struct pin_args *pa, const struct securesum_pin *pin,
    const char *session, struct ss_error *e) SS_WUR;

#endif
