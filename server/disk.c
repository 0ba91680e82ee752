/* disk.c: whole-file reads and folder fsyncs for the snapshot and journal. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "err.h"

int
disk_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
disk_read_all(int fd, uint8_t **data, size_t *len)
{
	struct stat sb;
	uint8_t *p;
	size_t off = 0;
	ssize_t n;

	if (fstat(fd, &sb) != 0 || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > SIZE_MAX / 2)
		return SS_ERR_IO;
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL)
		return SS_ERR_ALLOC;
	while (off < (size_t)sb.st_size) {
		n = pread(fd, p + off, (size_t)sb.st_size - off, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(p);
			return SS_ERR_IO;
		}
		off += (size_t)n;
	}
	*data = p;
	*len = off;
	return SS_OK;
}
