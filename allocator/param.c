/* allocator/param.c - reads the kernel's swiotlb= boot parameter:
 * NSLABS[,NAREAS][,force|noforce], numbers in C notation (0x hex). */
#include "allocator/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void swiotlb_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void swiotlb_err_oom(char *err, size_t errlen, uint64_t bytes,
		     const char *what_fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, what_fmt);
	vsnprintf(what, sizeof(what), what_fmt, ap);
	va_end(ap);
	swiotlb_set_err(err, errlen, "out of memory: %s (%llu bytes)", what,
		(unsigned long long)bytes);
}

/* Reads an optional number at *p, as simple_strtoul(p, &p, 0) would. */
static int read_number(const char **p, bool *set, uint64_t *value,
		       const char *what, char *err, size_t errlen)
{
	char *end;
	unsigned long long v;

	*set = false;
	if (!isdigit((unsigned char)**p))
		return 0;
	errno = 0;
	v = strtoull(*p, &end, 0);
	if (errno == ERANGE) {
		swiotlb_set_err(err, errlen, "swiotlb=: %s is too large", what);
		return -1;
	}
	*p = end;
	*set = true;
	*value = v;
	return 0;
}

int swiotlb_parse_param(const char *spec, struct swiotlb_param *out,
			char *err, size_t errlen)
{
	const char *p = spec ? spec : "";

	memset(out, 0, sizeof(*out));
	if (read_number(&p, &out->nslabs_set, &out->nslabs, "NSLABS", err,
			errlen))
		return -1;
	if (*p == ',')
		p++;
	if (read_number(&p, &out->nareas_set, &out->nareas, "NAREAS", err,
			errlen))
		return -1;
	if (*p == ',')
		p++;
	if (!strcmp(p, "force"))
		out->force = true;
	else if (!strcmp(p, "noforce"))
		out->noforce = true;
	else if (*p) {
		/* The kernel ignores the rest silently; a user of this tool
		 * is better served by hearing about the typo. */
		swiotlb_set_err(err, errlen,
			"swiotlb=%s: expected NSLABS[,NAREAS][,force|noforce], "
			"cannot read \"%s\"", spec, p);
		return -1;
	}
	if (out->nslabs_set && out->nslabs > SWIOTLB_MAX_NSLABS) {
		swiotlb_set_err(err, errlen,
			"swiotlb=%s: %llu slabs is more than this simulator "
			"supports (%lu)", spec, (unsigned long long)out->nslabs,
			SWIOTLB_MAX_NSLABS);
		return -1;
	}
	if (out->nareas_set && out->nareas > 65536) {
		swiotlb_set_err(err, errlen,
				"swiotlb=%s: more than 65536 areas", spec);
		return -1;
	}
	return 0;
}
