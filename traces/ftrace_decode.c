/* traces/ftrace_decode.c - opens a capture that may be xz or gzip
 * compressed: tells by the first byte, and decodes through `xz -dc` or
 * `gzip -dc` in a child process.
 *
 * Two children: a feeder (a fork of this process) copies the caller's FILE,
 * with whatever it has buffered, into the decompressor's stdin; the
 * decompressor writes into the pipe the importer reads. So the input may be
 * a file, a pipe or stdin alike. */
#include "traces/ftrace_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* First bytes: xz "\xfd" "7zXZ\0", gzip "\x1f\x8b" (and compress's "\x1f\x9d",
 * which gzip -dc also reads). Neither byte starts a line of text. */
static const char *compression_of(int first_byte)
{
	if (first_byte == 0xfd)
		return "xz";
	if (first_byte == 0x1f)
		return "gzip";
	return NULL;
}

/* The feeder's body: copies raw to fd, then exits without touching the
 * parent's stdio buffers. */
static void feed(FILE *raw, int fd)
{
	char buf[65536];
	size_t n;

	signal(SIGPIPE, SIG_DFL);
	while ((n = fread(buf, 1, sizeof(buf), raw)) > 0)
		for (size_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				_exit(1);
			off += (size_t)w;
		}
	_exit(ferror(raw) ? 1 : 0);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* The decompressor's body: stdin from to_tool, stdout to from_tool, no
 * stderr (the importer reports failures itself). It must hold no other end
 * of the pipes, or its stdin would never reach end of file. */
static void decode(const char *tool, int to_tool[2], int from_tool[2])
{
	int null = open("/dev/null", O_WRONLY);

	if (dup2(to_tool[0], 0) < 0 || dup2(from_tool[1], 1) < 0 ||
	    (null >= 0 && dup2(null, 2) < 0))
		_exit(127);
	close_pair(to_tool);
	close_pair(from_tool);
	if (null > 2)
		close(null);
	execlp(tool, tool, "-dc", (char *)NULL);
	_exit(127);
}

int ft_input_open(FILE *raw, struct ft_input *in, char *why, size_t whylen)
{
	int to_tool[2] = { -1, -1 }, from_tool[2] = { -1, -1 };
	int c = getc(raw);

	*in = (struct ft_input){ .f = raw, .feeder = -1, .decoder = -1 };
	if (c == EOF)
		return 0;
	ungetc(c, raw);
	in->tool = compression_of(c);
	if (!in->tool)
		return 0;
	if (pipe(to_tool) || pipe(from_tool))
		goto fail;
	in->feeder = fork();
	if (in->feeder < 0)
		goto fail;
	if (!in->feeder) {
		close(to_tool[0]);
		close_pair(from_tool);
		feed(raw, to_tool[1]);
	}
	in->decoder = fork();
	if (in->decoder < 0)
		goto fail;
	if (!in->decoder)
		decode(in->tool, to_tool, from_tool);
	close_pair(to_tool);
	close(from_tool[1]);
	in->f = fdopen(from_tool[0], "r");
	if (in->f)
		return 0;
	from_tool[1] = -1;
fail:
	snprintf(why, whylen, "cannot start %s -dc: %s", in->tool,
		 strerror(errno));
	close_pair(to_tool);
	close_pair(from_tool);
	in->f = NULL;
	ft_input_close(in, NULL, 0);
	return -1;
}

/* Waits for a child; returns its wait status, or -1 when there was none. */
static int reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int ft_input_close(struct ft_input *in, char *why, size_t whylen)
{
	char buf[65536];
	int status;

	if (!in->tool)
		return 0;
	if (in->f) {
		while (fread(buf, 1, sizeof(buf), in->f) > 0)
			;
		fclose(in->f);
		in->f = NULL;
	}
	status = reap(in->decoder);
	reap(in->feeder);      /* its failure shows as the decoder's */
	in->decoder = in->feeder = -1;
	if (status >= 0 && WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (!why)
		return -1;
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		snprintf(why, whylen, "cannot run %s to decompress (is it "
			 "installed?)", in->tool);
	else
		snprintf(why, whylen, "corrupt or truncated %s data (%s -dc "
			 "failed)", in->tool, in->tool);
	return -1;
}
