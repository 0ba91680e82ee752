/*
 * session_names.c: resolving session ids in their creators' namespaces;
 * see session_names.h.
 */
#include <stdio.h>
#include <string.h>

#include "name.h"
#include "session_names.h"

/* Candidates an ambiguous name's answer shows, of its 255 bytes. */
#define SHOWN      6
#define SHOWN_TEXT 110

int
session_names_init(struct store *s)
{
	int rc;

	if ((rc = session_index_init(&s->index)) != SS_OK)
		return rc;
	if ((rc = session_index_init(&s->by_name)) != SS_OK) {
		session_index_free(&s->index);
		return rc;
	}
	s->by_name.by_name = 1;
	return SS_OK;
}

void
session_names_free(struct store *s)
{
	session_index_free(&s->index);
	session_index_free(&s->by_name);
}

int
session_names_reserve(struct store *s)
{
	int rc;

	if ((rc = session_index_reserve(&s->index)) != SS_OK)
		return rc;
	return session_index_reserve(&s->by_name);
}

void
session_names_add(struct store *s, struct session *se)
{
	session_index_add(&s->index, se);
	session_index_add(&s->by_name, se);
}

void
session_names_remove(struct store *s, const struct session *se)
{
	session_index_remove(&s->index, se);
	session_index_remove(&s->by_name, se);
}

/* Keeps the SHOWN first ids in order in shown[] (*n of them). */
static void
keep_first(const char *shown[SHOWN], size_t *n, const char *id)
{
	size_t i = *n < SHOWN ? (*n)++ : SHOWN;

	while (i > 0 && strcmp(shown[i - 1], id) > 0) {
		if (i < SHOWN)
			shown[i] = shown[i - 1];
		i--;
	}
	if (i < SHOWN)
		shown[i] = id;
}

/* The answer to a bare NAME caller is a party of k sessions of. */
static void
ambiguous(const char *id, const char *const shown[SHOWN], size_t nshown,
    size_t k, struct ss_error *st)
{
	char list[SHOWN_TEXT + 1] = "";
	size_t i, len = 0, listed = 0;
	int w;

	for (i = 0; i < nshown; i++) {
		w = snprintf(list + len, sizeof(list) - len, "%s%s",
		    i ? ", " : "", shown[i]);
		if (w < 0 || (size_t)w >= sizeof(list) - len) {
			list[len] = '\0';
			break;
		}
		len += (size_t)w;
		listed++;
	}
	if (listed < k)
		snprintf(list + len, sizeof(list) - len, "%s...", listed ?
		    ", " : "");
	ss_error_set(st, SS_ERR_INVALID, "session name %s is ambiguous: you "
	    "are a party of %zu sessions of that name (%s); name one as "
	    "CREATOR/NAME", id, k, list);
}

struct session *
session_names_resolve(struct store *s, const char *caller, const char *id,
    struct ss_error *st)
{
	struct session *se, *one = NULL;
	const char *shown[SHOWN];
	size_t pos = 0, k = 0, nshown = 0;

	se = session_index_find(&s->index, id);
	if (se != NULL && session_party_index(se, caller) >= 0)
		return se;
	/* A bare NAME: the caller's sessions of that NAME in any namespace. */
	while (!session_id_qualified(id) &&
	    (se = session_index_next(&s->by_name, id, &pos)) != NULL) {
		if (!session_id_qualified(se->p.id) ||
		    session_party_index(se, caller) < 0)
			continue;
		one = se;
		k++;
		keep_first(shown, &nshown, se->p.id);
	}
	if (k == 1)
		return one;
	if (k == 0)
		ss_error_set(st, SS_ERR_NOT_FOUND, "no session %s", id);
	else
		ambiguous(id, shown, nshown, k, st);
	return NULL;
}

int
session_names_may_create(const char *caller, const char *id,
    struct ss_error *st)
{
	if (session_id_in(id, caller))
		return SS_OK;
	return ss_error_set(st, SS_ERR_DENIED, "%s may create sessions only in "
	    "its own namespace: name it %s/%s", caller, caller,
	    session_id_name(id));
}
