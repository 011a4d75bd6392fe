/* diagnose/diag_text.c - small pieces of the text reports: wrapped
 * paragraphs, sizes, shares, the swiotlb= parameter. */
#include "diagnose/diag_text.h"

#include <stdarg.h>
#include <string.h>

#define WIDTH 78
#define GiB (1ULL << 30)
#define COCO_CAP GiB

struct diag_size_text diag_bytes(uint64_t bytes)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB",
					     "TiB" };
	struct diag_size_text t;
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (!u || v == (double)(uint64_t)v)
		snprintf(t.s, sizeof(t.s), "%.0f %s", v, units[u]);
	else
		snprintf(t.s, sizeof(t.s), "%.1f %s", v, units[u]);
	return t;
}

void diag_para(FILE *out, const char *lead, const char *fmt, ...)
{
	char text[4096];
	const char *p = text;
	size_t indent = strlen(lead), col = indent;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fputs(lead, out);
	while (*p) {
		size_t word = strcspn(p, " ");

		if (col > indent && col + 1 + word > WIDTH) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, word, out);
		col += word;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

const char *diag_coco_rule(uint64_t adjusted_bytes)
{
	if (adjusted_bytes >= COCO_CAP)
		return "; the pool was sized by the 6% rule (6% of memory, "
		       "64 MiB to 1 GiB) and sits at its 1 GiB cap";
	return "; the pool was sized by the 6% rule (6% of memory, 64 MiB "
	       "to 1 GiB)";
}

void diag_param(char *buf, size_t len, uint64_t nslabs, bool one_area)
{
	snprintf(buf, len, "swiotlb=%llu%s", (unsigned long long)nslabs,
		 one_area ? ",1" : "");
}

void diag_share(char *buf, size_t len, unsigned k, unsigned n)
{
	snprintf(buf, len, "%u of %u fills (%.0f%%)", k, n,
		 n ? 100.0 * k / n : 0.0);
}
