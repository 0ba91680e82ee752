/*
 * keys.c: the store's directory of certificates; see keys.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "keys.h"
#include "name.h"
#include "record.h"
#include "strtab.h"

/* The directory's index by name: 2 x keys_cap slots, at most half full. */
static size_t
index_cap(const struct store *s)
{
	return 2 * s->keys_cap;
}

static const char *
name_of(const void *slots, size_t i)
{
	const struct key_entry *k = ((struct key_entry *const *)slots)[i];

	return k != NULL ? k->name : NULL;
}

/* The index slot of name's entry, or the empty slot where it would go. */
static size_t
probe(const struct store *s, const char *name)
{
	return strtab_probe(s->key_hash, s->key_slot, index_cap(s), name_of,
	    name);
}

int
store_keys_init(struct store *s)
{
	return strtab_key_new(s->key_hash);
}

void
store_keys_free(struct store *s)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++) {
		free(s->keys[i].der);
		free(s->keys[i].sign_der);
	}
	free(s->keys);
	strtab_release(s->key_slot, s->key_hash);
	s->keys = NULL;
	s->key_slot = NULL;
	s->nkeys = s->keys_cap = 0;
}

const struct key_entry *
store_get_key(const struct store *s, const char *name)
{
	if (s->keys_cap == 0)
		return NULL;
	return s->key_slot[probe(s, name)];
}

/*
 * Room for one more entry: the array doubled and every entry placed in an
 * index of twice its new size, both allocated before either changes.
 * SS_OK or SS_ERR_ALLOC (unchanged).
 */
static int
keys_grow(struct store *s)
{
	size_t cap = s->keys_cap ? s->keys_cap * 2 : 16, i;
	struct key_entry *v, **slot;

	if (s->nkeys < s->keys_cap)
		return SS_OK;
	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if (cap > SIZE_MAX / 2 / sizeof(*slot) || cap > SIZE_MAX / sizeof(*v))
		return SS_ERR_ALLOC;
	/* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	if ((slot = calloc(2 * cap, sizeof(*slot))) == NULL)
		return SS_ERR_ALLOC;
	if ((v = realloc(s->keys, cap * sizeof(*v))) == NULL) {
		free(slot);
		return SS_ERR_ALLOC;
	}
	free(s->key_slot);
	s->keys = v;
	s->keys_cap = cap;
	s->key_slot = slot;
	for (i = 0; i < s->nkeys; i++)
		s->key_slot[probe(s, s->keys[i].name)] = &s->keys[i];
	return SS_OK;
}

static uint64_t
key_bytes(const struct key_entry *k)
{
	return (uint64_t)k->der_len + (k->sign_der != NULL ? k->sign_len : 0);
}

void
store_drop_key(struct store *s, const char *name)
{
	struct key_entry *e = (struct key_entry *)store_get_key(s, name),
	    *last;
	char party[NAME_BUF];

	if (e == NULL)
		return;
	/* name may be e's own, which the last entry overwrites. */
	memcpy(party, e->name, sizeof(party));
	s->stored_bytes -= key_bytes(e);
	free(e->der);
	free(e->sign_der);
	/* Pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
	strtab_remove(s->key_slot, index_cap(s), sizeof(*s->key_slot),
	    probe(s, party), s->key_hash, name_of);
	last = &s->keys[--s->nkeys];
	if (e != last) {
		/* The last entry moves into the hole; its slot follows it. */
		s->key_slot[probe(s, last->name)] = e;
		*e = *last;
	}
	s->version++;
	record_key_changed(s, party);
}

/*
 * Copies of want's certificates in *copy, and room in the directory for
 * them (a new entry when old, the entry they replace, is NULL), so that
 * adding them cannot fail once their record is logged.
 */
static int
new_key(struct store *s, const struct key_entry *old,
    const struct key_entry *want, struct key_entry *copy, struct ss_error *st)
{
	memset(copy, 0, sizeof(*copy));
	if (old == NULL && s->nkeys >= s->lim.max_keys)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "the key directory "
		    "holds its limit of %u keys", s->lim.max_keys);
	if (record_room(s, key_bytes(want), st) != SS_OK)
		return st->code;
	if (old == NULL && keys_grow(s) != SS_OK)
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	*copy = *want;
	copy->der = record_copy(want->der, want->der_len);
	copy->sign_der = want->sign_der != NULL ?
	    record_copy(want->sign_der, want->sign_len) : NULL;
	if (copy->der == NULL ||
	    (want->sign_der != NULL && copy->sign_der == NULL)) {
		free(copy->der);
		free(copy->sign_der);
		return ss_error_set(st, SS_ERR_EXHAUSTED, "out of memory");
	}
	return SS_OK;
}

/* Stores copy (from new_key) in place of the entry e, or as a new one. */
static void
add_key(struct store *s, struct key_entry *e, const struct key_entry *copy)
{
	if (e == NULL) {
		e = &s->keys[s->nkeys++];
		s->key_slot[probe(s, copy->name)] = e;
	} else {
		s->stored_bytes -= key_bytes(e);
		free(e->der);
		free(e->sign_der);
	}
	*e = *copy;
	s->stored_bytes += key_bytes(e);
	s->version++;
	record_key_changed(s, e->name);
}

/* Makes want (copied) the entry of its name, replacing e if any; logged first. */
static int
set_key(struct store *s, struct key_entry *e, const struct key_entry *want,
    struct ss_error *st)
{
	struct key_entry copy;
	struct ss_error err;
	uint64_t seq = 0;

	if (new_key(s, e, want, &copy, st) != SS_OK)
		return st->code;
	if (s->log.ops != NULL && !record_logged(s, s->log.ops->key(s->log.ctx, want,
	    &seq, &err), &seq)) {
		free(copy.der);
		free(copy.sign_der);
		return record_failed(&err, st);
	}
	add_key(s, e, &copy);
	return ss_error_set(st, SS_OK, "%s", "");
}

/* Checks an entry's name and sizes, and makes want of it (pointers as given). */
static int
check_key(const struct store *s, const char *name, const uint8_t *der,
    size_t der_len, const uint8_t *sign_der, size_t sign_len,
    struct key_entry *want, struct ss_error *st)
{
	memset(want, 0, sizeof(*want));
	if (!name_valid(name))
		return ss_error_set(st, SS_ERR_INVALID, "invalid party name");
	if (der_len == 0 || der_len > s->lim.max_cert_bytes ||
	    (sign_der != NULL && (sign_len == 0 ||
	    sign_len > s->lim.max_cert_bytes)))
		return ss_error_set(st, SS_ERR_INVALID, "a certificate must be "
		    "1 to %u bytes", s->lim.max_cert_bytes);
	snprintf(want->name, sizeof(want->name), "%s", name);
	want->der = (uint8_t *)der;
	want->der_len = der_len;
	want->sign_der = (uint8_t *)sign_der;
	want->sign_len = sign_der != NULL ? sign_len : 0;
	return SS_OK;
}

static int
same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (a == NULL || b == NULL)
		return a == NULL && b == NULL;
	return alen == blen && memcmp(a, b, alen) == 0;
}

int
store_put_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, int *duplicate, struct ss_error *st)
{
	return store_publish_key(s, name, der, der_len, NULL, 0, duplicate, st);
}

int
store_publish_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, const uint8_t *sign_der, size_t sign_len, int *duplicate,
    struct ss_error *st)
{
	struct key_entry want, *e;

	*duplicate = 0;
	if (check_key(s, name, der, der_len, sign_der, sign_len, &want,
	    st) != SS_OK)
		return st->code;
	if ((e = (struct key_entry *)store_get_key(s, name)) != NULL) {
		if (!same_bytes(e->der, e->der_len, der, der_len))
			return ss_error_set(st, SS_ERR_EXISTS, "%s already has "
			    "a different encryption-key certificate on this server",
			    name);
		if (sign_der == NULL || same_bytes(e->sign_der, e->sign_len,
		    sign_der, sign_len)) {
			*duplicate = 1;
			return ss_error_set(st, SS_OK, "%s", "");
		}
		if (e->sign_der != NULL)
			return ss_error_set(st, SS_ERR_EXISTS, "%s already "
			    "published its key over another TLS certificate, "
			    "whose key signs its statements", name);
	}
	return set_key(s, e, &want, st);
}

int
store_replace_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, int *replaced, struct ss_error *st)
{
	struct key_entry want, *e;

	*replaced = 0;
	e = (struct key_entry *)store_get_key(s, name);
	/* The signing certificate stays: only the encryption key is the operator's. */
	if (check_key(s, name, der, der_len, e != NULL ? e->sign_der : NULL,
	    e != NULL ? e->sign_len : 0, &want, st) != SS_OK)
		return st->code;
	if (e != NULL && same_bytes(e->der, e->der_len, der, der_len))
		return ss_error_set(st, SS_OK, "%s", "");
	*replaced = e != NULL;
	return set_key(s, e, &want, st);
}

int
store_apply_key(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, struct ss_error *e)
{
	return store_apply_key_signed(s, name, der, der_len, NULL, 0, e);
}

int
store_apply_key_signed(struct store *s, const char *name, const uint8_t *der,
    size_t der_len, const uint8_t *sign_der, size_t sign_len,
    struct ss_error *e)
{
	struct key_entry want, copy, *old;
	struct ss_error st;

	if (check_key(s, name, der, der_len, sign_der, sign_len, &want,
	    &st) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "key of %.64s cannot be "
		    "applied: %s", name, st.msg);
	old = (struct key_entry *)store_get_key(s, name);
	/* As store_replace_key: the same entry again changes nothing. */
	if (old != NULL && same_bytes(old->der, old->der_len, der, der_len) &&
	    same_bytes(old->sign_der, old->sign_len, sign_der, want.sign_len))
		return SS_OK;
	if (new_key(s, old, &want, &copy, &st) != SS_OK)
		return ss_error_set(e, SS_ERR_INVALID, "key of %s cannot be "
		    "applied: %s", name, st.msg);
	add_key(s, old, &copy);
	return SS_OK;
}
