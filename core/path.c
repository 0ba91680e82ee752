/* path.c: joining a folder and a file name, never truncated. */
#include <stdio.h>

#include "path.h"

int
path_join(char *out, size_t outlen, const char *dir, const char *name)
{
	int n;

	if (dir == NULL || name == NULL || dir[0] == '\0')
		return SS_ERR_INVALID;
	n = snprintf(out, outlen, "%s/%s", dir, name);
	if (n < 0)
		return SS_ERR_INTERNAL;
	return (size_t)n >= outlen ? SS_ERR_TOO_LARGE : SS_OK;
}
