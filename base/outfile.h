/* base/outfile.h - result files that appear whole or not at all: written
 * under a temporary name in the same folder, then renamed into place.
 *
 * Contract: outfile_open() returns a FILE* on a temporary file next to
 * `path`; outfile_commit() flushes, syncs, closes and renames it to `path`
 * (returns -1 with errno-style message on any failure, leaving no temporary
 * behind); outfile_abort() closes and deletes it. */
#ifndef SWSIM_BASE_OUTFILE_H
#define SWSIM_BASE_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

/* Room for a results folder's path (PATH_MAX, 4096) and a file name in
 * it: the buffers that join the two. */
#define OUTFILE_PATH_MAX 4200

struct outfile {
	FILE *f;
	char path[4096];
	char tmp[4096];
};

int outfile_open(struct outfile *o, const char *path, char *err,
		 size_t errlen);
int outfile_commit(struct outfile *o, char *err, size_t errlen);
void outfile_abort(struct outfile *o);

/* Deletes a file or a folder with everything in it (like rm -rf), without
 * following links; errors are ignored (it is for cleaning up). */
void remove_tree(const char *path);

/* Creates a directory and its parents (like mkdir -p). */
int make_dirs(const char *path, char *err, size_t errlen);

#endif
