/*-------------------------------------------------------------------------
 *
 * migfile.c
 *		usrmgmt command-line tool: splitting a migration file into its up
 *		and down sections, listing a directory in name order, reading a
 *		file.  Plain C, no libpq.
 *
 * src/cli/migfile.c
 *
 *-------------------------------------------------------------------------
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migfile.h"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Is line [s, e) a marker?  Returns 'u' for "-- up", 'd' for "-- down",
 * 0 otherwise.
 */
static int
marker(const char *s, const char *e)
{
	const char *w;
	size_t		n;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (e - s < 2 || s[0] != '-' || s[1] != '-')
		return 0;
	s += 2;
	while (s < e && is_blank(*s))
		s++;
	if (e > s && e[-1] == ':')
		e--;
	while (e > s && is_blank(e[-1]))
		e--;
	n = (size_t) (e - s);
	w = s;
	if (n == 2 && (w[0] | 0x20) == 'u' && (w[1] | 0x20) == 'p')
		return 'u';
	if (n == 4 && (w[0] | 0x20) == 'd' && (w[1] | 0x20) == 'o' &&
		(w[2] | 0x20) == 'w' && (w[3] | 0x20) == 'n')
		return 'd';
	return 0;
}

static int
all_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_blank(s[i]) && s[i] != '\n')
			return 0;
	return 1;
}

int
um_split_migration(const char *buf, size_t len, struct um_migration_parts *out,
				   char *err, size_t errlen)
{
	size_t		pos = 0;
	size_t		up_start = 0;
	size_t		down_start = 0;
	size_t		up_end = len;
	int			seen_up = 0;
	int			seen_down = 0;

	memset(out, 0, sizeof(*out));
	if (memchr(buf, '\0', len) != NULL)
	{
		snprintf(err, errlen, "file contains a NUL byte");
		return -1;
	}
	while (pos < len)
	{
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t		eol = nl ? (size_t) (nl - buf) : len;
		size_t		next = nl ? eol + 1 : len;
		int			m = marker(buf + pos, buf + eol);

		if (m == 'u')
		{
			if (seen_up || seen_down)
			{
				snprintf(err, errlen, "misplaced \"-- up\" marker on line starting at byte %zu", pos);
				return -1;
			}
			seen_up = 1;
			up_start = next;
		}
		else if (m == 'd')
		{
			if (seen_down)
			{
				snprintf(err, errlen, "more than one \"-- down\" marker");
				return -1;
			}
			seen_down = 1;
			up_end = pos;
			down_start = next;
		}
		pos = next;
	}
	out->up_off = up_start;
	out->up_len = up_end - up_start;
	if (seen_down)
	{
		out->down_off = down_start;
		out->down_len = len - down_start;
		out->has_down = !all_blank(buf + down_start, out->down_len);
		if (!out->has_down)
			out->down_off = out->down_len = 0;
	}
	if (all_blank(buf + out->up_off, out->up_len))
	{
		snprintf(err, errlen, "no SQL before the \"-- down\" marker");
		return -1;
	}
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

void
um_free_names(char **names, int n)
{
	if (names == NULL)
		return;
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
um_list_dir(const char *dir, const char *prefix, const char *suffix,
			char ***names, char *err, size_t errlen)
{
	DIR		   *d;
	struct dirent *de;
	char	  **v = NULL;
	int			n = 0;
	int			cap = 0;
	size_t		plen = strlen(prefix);
	size_t		slen = strlen(suffix);

	*names = NULL;
	d = opendir(dir);
	if (d == NULL)
	{
		snprintf(err, errlen, "could not open directory \"%s\": %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
	{
		const char *nm = de->d_name;
		size_t		len = strlen(nm);
		char	   *path;
		struct stat st;
		int			ok;

		if (nm[0] == '.' || len < plen + slen ||
			strncmp(nm, prefix, plen) != 0 ||
			strcmp(nm + len - slen, suffix) != 0)
			continue;
		path = malloc(strlen(dir) + len + 2);
		if (path == NULL)
			goto oom;
		sprintf(path, "%s/%s", dir, nm);
		ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!ok)
			continue;
		if (n == cap)
		{
			char	  **nv = realloc(v, sizeof(char *) * (cap = cap ? cap * 2 : 16));

			if (nv == NULL)
				goto oom;
			v = nv;
		}
		if ((v[n] = strdup(nm)) == NULL)
			goto oom;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof(char *), cmp_names);
	*names = v;
	return n;

oom:
	closedir(d);
	um_free_names(v, n);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
um_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE	   *f = fopen(path, "rb");
	char	   *b = NULL;
	size_t		n = 0;
	size_t		cap = 0;

	*buf = NULL;
	*len = 0;
	if (f == NULL)
	{
		snprintf(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
		return -1;
	}
	for (;;)
	{
		size_t		got;

		if (cap - n < 8192)
		{
			char	   *nb = realloc(b, cap = cap ? cap * 2 : 65536);

			if (nb == NULL)
			{
				free(b);
				fclose(f);
				snprintf(err, errlen, "out of memory reading \"%s\"", path);
				return -1;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
	{
		snprintf(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
		free(b);
		fclose(f);
		return -1;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
