/* traces/ftrace_internal.h - private to the ftrace importer: the capture
 * as read into memory, shared by its reader, decoder and converter. */
#ifndef SWSIM_TRACES_FTRACE_INTERNAL_H
#define SWSIM_TRACES_FTRACE_INTERNAL_H

#include "traces/ftrace_import.h"
#include "traces/optrace.h"

#include <sys/types.h>

/* enum dma_data_direction, as the events print it. */
enum ft_dir { FT_BIDIRECTIONAL, FT_TO_DEVICE, FT_FROM_DEVICE, FT_DIR_NONE };

/* One page, one sg segment, or one address of an unmap/sync list. Fields
 * an event does not give are 0. */
struct ft_seg {
	uint64_t phys, dma, size;
};

/* One dma: event of the types the importer reads. */
struct ft_event {
	uint64_t ts_ns;            /* absolute, as in the capture */
	uint64_t lineno;
	uint32_t dev;              /* index into ft_capture.devs */
	uint32_t cpu;
	uint8_t type;              /* enum ftrace_event_type */
	uint8_t dir;               /* enum ft_dir */
	bool merged;               /* dma_map_sg with ents != nents */
	uint32_t nseg;
	size_t seg;                /* first of nseg in ft_capture.segs */
};

struct ft_capture {
	struct ft_event *events;
	size_t nevents, events_cap;
	struct ft_seg *segs;
	size_t nsegs, segs_cap;
	char (*devs)[OPTRACE_NAME_MAX];
	size_t ndevs, devs_cap;
	size_t map_segs;           /* segments of map events, all told */
};

void ft_capture_free(struct ft_capture *cap);

/* The prefix of an event line: "TASK-PID [CPU] FLAGS TIMESTAMP: EVENT:". */
struct ft_line_head {
	uint32_t cpu;
	uint64_t ts_ns;
	char *event;               /* NUL-terminated name; NULL when none */
	char *data;                /* what follows "EVENT: " */
};

/* Splits one line (without its newline; modified in place). Returns 0 for a
 * header line (comments, blank lines, trace-cmd's own lines, lost-events
 * markers: counted and read into s), 1 for an event line with its prefix in
 * *h, or -1 for anything else, with the reason in why. */
int ft_parse_line(char *line, struct ftrace_import_summary *s,
		  struct ft_line_head *h, char *why, size_t whylen);

/* Reads every line of f into cap, counting in s. Returns 0, or -1 with the
 * problem in why and its line in *lineno (0: none in particular). */
int ft_read_capture(FILE *f, struct ft_capture *cap,
		    struct ftrace_import_summary *s, char *why, size_t whylen,
		    uint64_t *lineno);

/* A capture stream: the raw FILE itself, or a decompressor's output. */
struct ft_input {
	FILE *f;
	const char *tool;          /* "xz", "gzip"; NULL when plain */
	pid_t feeder, decoder;
};

/* Looks at the first byte of raw; when it is compressed, starts the
 * decompressor. Returns 0, or -1 with the reason in why. */
int ft_input_open(FILE *raw, struct ft_input *in, char *why, size_t whylen);
/* Reads what is left (so that the decompressor finishes), closes, reaps.
 * Returns 0 when the decompression succeeded (or there was none), else -1
 * with what went wrong in why. */
int ft_input_close(struct ft_input *in, char *why, size_t whylen);

/* Converts the (time-ordered) capture, writing the op lines to out, or
 * only counting when out is NULL. Fills the "written" half of s and, per
 * device, the maps written in dev_maps[cap->ndevs]. Returns 0, or -1 when
 * memory runs out. */
int ft_convert(const struct ft_capture *cap, const struct ftrace_import_opts *o,
	       FILE *out, struct ftrace_import_summary *s, uint64_t *dev_maps);

#endif
