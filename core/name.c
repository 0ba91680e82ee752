/* name.c: the one check of party and session names. */
#include <stddef.h>

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
