/*-------------------------------------------------------------------------
 *
 * migfile.h
 *		usrmgmt command-line tool: migration files and directory listings.
 *		Plain C, no libpq: um_split_migration() is fuzzed directly.
 *
 * src/cli/migfile.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef UM_MIGFILE_H
#define UM_MIGFILE_H

#include <stddef.h>

/* The up and down sections of a migration file, as spans of its buffer. */
struct um_migration_parts
{
	size_t		up_off;
	size_t		up_len;
	int			has_down;		/* a non-blank "-- down" section exists */
	size_t		down_off;
	size_t		down_len;
};

/*
 * Split a migration file held in buf[0..len) into its up and down sections.
 * A line holding only "-- down" (any case, blanks around, an optional
 * trailing colon) starts the down section; an optional "-- up" line before
 * it starts the up section (what precedes it is ignored).  Returns 0, or
 * -1 with one line in err: a NUL byte, a second marker, an empty up
 * section.
 */
extern int	um_split_migration(const char *buf, size_t len,
							   struct um_migration_parts *out,
							   char *err, size_t errlen);

/*
 * The names of the regular, non-hidden files of dir that begin with
 * prefix and end with suffix (either may be ""), sorted bytewise.
 * Returns the count, or -1 with err set.  Free with um_free_names().
 */
extern int	um_list_dir(const char *dir, const char *prefix, const char *suffix,
						char ***names, char *err, size_t errlen);
extern void um_free_names(char **names, int n);

/* Read a whole file into a NUL-terminated malloc'd buffer; -1 on error. */
extern int	um_read_file(const char *path, char **buf, size_t *len,
						 char *err, size_t errlen);

#endif							/* UM_MIGFILE_H */
