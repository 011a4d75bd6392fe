/* traces/ftrace_import.c - the ftrace importer's front: reads the whole
 * capture, orders it, converts it in a counting pass and a writing pass
 * (so the header can say what follows), and prints the summary. */
#include "traces/ftrace_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int by_time(const void *a, const void *b)
{
	const struct ft_event *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static const struct ftrace_dev_param *dev_param(
	const struct ftrace_import_opts *o, const char *name)
{
	for (size_t i = 0; i < o->ndev_params; i++)
		if (!strcmp(o->dev_params[i].name, name))
			return &o->dev_params[i];
	return NULL;
}

/* The written devices into s (the first FTRACE_SUMMARY_NAMES by name), and
 * the device parameters that name none of them. */
static void note_devices(const struct ft_capture *cap,
			 const struct ftrace_import_opts *o,
			 const uint64_t *dev_maps, struct ftrace_import_summary *s)
{
	s->ndevices = 0;
	for (size_t d = 0; d < cap->ndevs; d++) {
		if (!dev_maps[d])
			continue;
		if (s->ndevices < FTRACE_SUMMARY_NAMES) {
			struct ftrace_name_count *n = &s->devices[s->ndevices];

			snprintf(n->name, sizeof(n->name), "%s", cap->devs[d]);
			n->count = dev_maps[d];
		}
		s->ndevices++;
	}
	s->dev_params_unused = 0;
	for (size_t i = 0; i < o->ndev_params; i++) {
		size_t d = 0;

		while (d < cap->ndevs && (!dev_maps[d] ||
					  strcmp(cap->devs[d], o->dev_params[i].name)))
			d++;
		s->dev_params_unused += d == cap->ndevs;
	}
}

static void put_counts(FILE *f, const uint64_t *counts)
{
	const char *sep = "";

	for (int t = 0; t < FTRACE_NTYPES; t++)
		if (counts[t]) {
			fprintf(f, "%s%s %" PRIu64, sep,
				ftrace_event_name((enum ftrace_event_type)t),
				counts[t]);
			sep = ", ";
		}
	if (!*sep)
		fputs("no dma: events", f);
}

static void put_header(FILE *out, const char *path,
		       const struct ftrace_import_opts *o,
		       const struct ftrace_import_summary *s)
{
	fprintf(out, "# swiotlb-sim import: timed op trace from the ftrace "
		"capture %s\n", path);
	fprintf(out, "# read: %" PRIu64 " lines (compression: %s); ", s->lines,
		s->compression);
	put_counts(out, s->events);
	fprintf(out, "; %" PRIu64 " other event lines skipped\n",
		s->other_events);
	fprintf(out, "# written: %zu device(s), %" PRIu64 " maps, %" PRIu64
		" unmaps, %" PRIu64 " syncs; %" PRIu64 " maps still live at "
		"the end\n", s->ndevices, s->maps_written, s->unmaps_written,
		s->syncs_written, s->maps_live_at_end);
	fprintf(out, "# dropped: %" PRIu64 " unmaps and %" PRIu64 " syncs of "
		"mappings made before the capture began\n",
		s->unmaps_unmatched, s->syncs_unmatched);
	if (o->all_devices)
		fputs("# kept: every mapping (--all-devices), bounced or not\n",
		      out);
	else
		fputs("# kept: mappings that bounced (the kernel's dma_addr "
		      "differs from phys_addr)\n", out);
	fprintf(out, "# t: ns since the capture's first event, at %" PRIu64
		".%09" PRIu64 " s\n", s->t0_ns / 1000000000,
		s->t0_ns % 1000000000);
	if (s->lost_markers)
		fprintf(out, "# warning: the capture lost events (%" PRIu64
			" counted): some mappings may never be unmapped\n",
			s->lost_events);
	if (s->cpus)
		fprintf(out, "# no boot line: the scenario gives the machine "
			"(the capture's had %u CPUs)\n", s->cpus);
	else
		fputs("# no boot line: the scenario gives the machine\n", out);
	fputs("# min_align_mask, seg_boundary: not in a capture; set with "
	      "--min-align-mask/--seg-boundary or by the scenario\n", out);
}

static void put_devs(FILE *out, const struct ft_capture *cap,
		     const struct ftrace_import_opts *o, const uint64_t *dev_maps)
{
	for (size_t d = 0; d < cap->ndevs; d++) {
		const struct ftrace_dev_param *p = dev_param(o, cap->devs[d]);

		if (!dev_maps[d])
			continue;
		fprintf(out, "dev name=%s", cap->devs[d]);
		if (p && p->has_min_align_mask)
			fprintf(out, " min_align_mask=0x%" PRIx64,
				p->min_align_mask);
		if (p && p->has_seg_boundary)
			fprintf(out, " seg_boundary=0x%" PRIx64, p->seg_boundary);
		fputc('\n', out);
	}
}

/* Reads the capture (through its decompressor) into cap. */
static int read_all(FILE *in, const char *shown, struct ft_capture *cap,
		    struct ftrace_import_summary *s, char *err, size_t errlen)
{
	struct ft_input input;
	char why[512], dwhy[256];
	uint64_t lineno = 0;
	int status;

	if (ft_input_open(in, &input, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", shown, why);
		return -1;
	}
	s->compression = input.tool ? input.tool : "none";
	status = ft_read_capture(input.f, cap, s, why, sizeof(why), &lineno);
	if (ft_input_close(&input, dwhy, sizeof(dwhy))) {
		/* a broken stream explains a bad line better than the line */
		snprintf(err, errlen, "%s:%" PRIu64 ": %s", shown,
			 status ? lineno : s->lines + 1, dwhy);
		return -1;
	}
	if (status && lineno)
		snprintf(err, errlen, "%s:%" PRIu64 ": %s", shown, lineno, why);
	else if (status)
		snprintf(err, errlen, "%s: %s", shown, why);
	return status;
}

int ftrace_import(FILE *in, const char *path, FILE *out,
		  const struct ftrace_import_opts *o,
		  struct ftrace_import_summary *s, char *err, size_t errlen)
{
	static const struct ftrace_import_opts defaults;
	const char *shown = strcmp(path, "-") ? path : "<stdin>";
	struct ft_capture cap = { 0 };
	struct ftrace_import_summary counted;
	uint64_t *dev_maps = NULL;
	int status = -1;

	assert(in && path && out && s && err && errlen);
	if (!o)
		o = &defaults;
	for (size_t i = 0; i < o->ndev_params; i++)
		assert(o->dev_params[i].min_align_mask <= UINT32_MAX);
	*s = (struct ftrace_import_summary){ .compression = "none" };
	err[0] = '\0';
	if (read_all(in, shown, &cap, s, err, errlen))
		goto done;
	if (s->out_of_order)
		qsort(cap.events, cap.nevents, sizeof(*cap.events), by_time);
	dev_maps = calloc(cap.ndevs ? cap.ndevs : 1, sizeof(*dev_maps));
	counted = *s;
	if (!dev_maps || ft_convert(&cap, o, NULL, &counted, dev_maps)) {
		snprintf(err, errlen, "%s: out of memory", shown);
		goto done;
	}
	note_devices(&cap, o, dev_maps, &counted);
	put_header(out, shown, o, &counted);
	put_devs(out, &cap, o, dev_maps);
	if (ft_convert(&cap, o, out, s, dev_maps)) {
		snprintf(err, errlen, "%s: out of memory", shown);
		goto done;
	}
	note_devices(&cap, o, dev_maps, s);
	if (fflush(out) || ferror(out)) {
		snprintf(err, errlen, "%s: cannot write the op trace", shown);
		goto done;
	}
	status = 0;
done:
	free(dev_maps);
	ft_capture_free(&cap);
	return status;
}

static void put_others(FILE *f, const struct ftrace_import_summary *s)
{
	for (size_t i = 0; i < s->nother; i++)
		fprintf(f, "%s%s %" PRIu64, i ? ", " : " (", s->other[i].name,
			s->other[i].count);
	fputs(s->nother ? ")" : "", f);
}

static void put_warnings(FILE *f, const struct ftrace_import_summary *s)
{
	uint64_t dma_events = 0;

	for (int t = 0; t < FTRACE_NTYPES; t++)
		dma_events += s->events[t];
	if (!dma_events)
		fputs("  warning: no dma: events; were they enabled "
		      "(events/dma/enable)?\n", f);
	if (s->lost_markers)
		fprintf(f, "  warning: %" PRIu64 " lost-events markers (%" PRIu64
			" events lost): matching may be incomplete\n",
			s->lost_markers, s->lost_events);
	if (s->overwritten)
		fprintf(f, "  note: the ring buffer overwrote %" PRIu64 " older "
			"entries; the capture starts late\n", s->overwritten);
	if (s->out_of_order)
		fprintf(f, "  note: %" PRIu64 " events were out of time order; "
			"sorted by time\n", s->out_of_order);
	if (s->sg_truncated)
		fprintf(f, "  note: %" PRIu64 " dma_map_sg events had more than "
			"128 entries; only the first 128 were recorded\n",
			s->sg_truncated);
	if (s->sg_merged)
		fprintf(f, "  note: %" PRIu64 " dma_map_sg events merged entries "
			"(an IOMMU, not swiotlb): left out\n", s->sg_merged);
	if (s->stale_unmapped)
		fprintf(f, "  note: %" PRIu64 " mappings unmapped where their "
			"bounce address was handed out again (unmap not in the "
			"capture)\n", s->stale_unmapped);
	if (s->dev_params_unused)
		fprintf(f, "  warning: %" PRIu64 " --min-align-mask/--seg-boundary "
			"device(s) not in the output\n", s->dev_params_unused);
}

void ftrace_import_print_summary(FILE *f, const char *path,
				 const struct ftrace_import_summary *s)
{
	fprintf(f, "import: %s (compression: %s): %" PRIu64 " lines\n",
		strcmp(path, "-") ? path : "<stdin>", s->compression, s->lines);
	fputs("  events read:  ", f);
	put_counts(f, s->events);
	fprintf(f, "\n  skipped:      %" PRIu64 " other event lines", s->other_events);
	put_others(f, s);
	fprintf(f, "; %" PRIu64 " header/comment lines\n", s->header_lines);
	fprintf(f, "  devices:      %zu", s->ndevices);
	for (size_t i = 0; i < s->ndevices && i < FTRACE_SUMMARY_NAMES; i++)
		fprintf(f, "%s%s (%" PRIu64 " maps)", i ? ", " : " - ",
			s->devices[i].name, s->devices[i].count);
	fprintf(f, "%s\n", s->ndevices > FTRACE_SUMMARY_NAMES ? ", ..." : "");
	fprintf(f, "  maps:         %" PRIu64 " written, %" PRIu64 " left out "
		"(did not bounce)\n", s->maps_written, s->maps_left_out);
	fprintf(f, "  unmaps:       %" PRIu64 " matched and written, %" PRIu64
		" matched to left-out maps, %" PRIu64 " unmatched (dropped)\n",
		s->unmaps_written, s->unmaps_left_out, s->unmaps_unmatched);
	fprintf(f, "  syncs:        %" PRIu64 " written, %" PRIu64 " of left-out "
		"maps, %" PRIu64 " unmatched (dropped)\n", s->syncs_written,
		s->syncs_left_out, s->syncs_unmatched);
	fprintf(f, "  live at end:  %" PRIu64 " maps; time span %" PRIu64
		" ns\n", s->maps_live_at_end, s->t_end_ns - s->t0_ns);
	put_warnings(f, s);
}
