/* name.c: the one check of party and session names. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "name.h"

int
name_valid(const char *name)
{
	size_t i;
	char c;

	if (name == NULL || name[0] == '\0' || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= NAME_MAX_LEN)
			return 0;
		c = name[i];
		/* Explicit ranges: isalnum() would follow the locale. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
session_id_valid(const char *id)
{
	const char *slash;
	char creator[NAME_BUF];
	size_t len;

	if (id == NULL || (slash = strchr(id, '/')) == NULL)
		return name_valid(id);
	len = (size_t)(slash - id);
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	memcpy(creator, id, len);
	creator[len] = '\0';
	return name_valid(creator) && name_valid(slash + 1);
}

int
session_id_qualified(const char *id)
{
	return strchr(id, '/') != NULL;
}

const char *
session_id_name(const char *id)
{
	const char *slash = strchr(id, '/');

	return slash != NULL ? slash + 1 : id;
}

int
session_id_in(const char *id, const char *creator)
{
	size_t len = strlen(creator);

	return strncmp(id, creator, len) == 0 && id[len] == '/';
}

int
session_id_qualify(const char *creator, const char *id,
    char out[SESSION_ID_BUF])
{
	int n;

	out[0] = '\0';
	if (!session_id_valid(id))
		return 0;
	n = session_id_qualified(id) ? snprintf(out, SESSION_ID_BUF, "%s", id) :
	    snprintf(out, SESSION_ID_BUF, "%s/%s", creator, id);
	if (n < 0 || n >= SESSION_ID_BUF || !session_id_valid(out)) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}
