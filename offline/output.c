/*
 * output.c — output files of postern-open: a new hidden file beside the
 * final name, linked into place on commit. link() never replaces an
 * existing file, so a race cannot overwrite one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postern-open.h"

/* The temporary output file, unlinked if a signal ends the program. One
 * output at a time. */
static char tmp_path[PATH_MAX];

void
output_signal_cleanup(void)
{
	if (tmp_path[0] != '\0')
		unlink(tmp_path);
}

int
output_open(struct output *o, const char *path, int replace)
{
	struct stat sb;
	const char *slash;
	int n;

	o->path = (path == NULL || strcmp(path, "-") == 0) ? NULL : path;
	o->fd = STDOUT_FILENO;
	if (o->path == NULL)
		return 0;
	if (!replace && lstat(path, &sb) == 0) {
		open_fail("%s: already exists; not overwriting it", path);
		return -1;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		n = snprintf(tmp_path, sizeof(tmp_path), ".%s.XXXXXX", path);
	else
		n = snprintf(tmp_path, sizeof(tmp_path), "%.*s/.%s.XXXXXX",
		    (int)(slash - path), path, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(tmp_path)) {
		open_fail("%s: path too long", path);
		tmp_path[0] = '\0';
		return -1;
	}
	if ((o->fd = mkostemp(tmp_path, O_CLOEXEC)) < 0) {
		open_fail("%s: %s", path, strerror(errno));
		tmp_path[0] = '\0';
		return -1;
	}
	return 0;
}

static int
finish(struct output *o, int replace)
{
	int rc = -1;

	if (o->path == NULL)
		return 0;
	if (fsync(o->fd) != 0)
		open_fail("%s: %s", o->path, strerror(errno));
	else if (replace && rename(tmp_path, o->path) != 0)
		open_fail("%s: %s", o->path, strerror(errno));
	else if (!replace && link(tmp_path, o->path) != 0)
		open_fail("%s: %s", o->path, errno == EEXIST ?
		    "already exists; not overwriting it" : strerror(errno));
	else
		rc = 0;
	close(o->fd);
	if (!replace || rc != 0)
		unlink(tmp_path);
	tmp_path[0] = '\0';
	return rc;
}

int
output_commit(struct output *o)
{
	return finish(o, 0);
}

int
output_replace(struct output *o)
{
	return finish(o, 1);
}

void
output_abort(struct output *o)
{
	if (o->path == NULL)
		return;
	close(o->fd);
	unlink(tmp_path);
	tmp_path[0] = '\0';
}
