/* diagnose/diag_text.h - what the text reports share inside this folder:
 * wrapped paragraphs, sizes in words, the verdict and advice. */
#ifndef SWSIM_DIAGNOSE_DIAG_TEXT_H
#define SWSIM_DIAGNOSE_DIAG_TEXT_H

#include "diagnose/diagnose.h"

/* A size in the largest binary unit that keeps it whole or near it:
 * "256 MiB", "1.5 GiB", "64 KiB". Use as diag_bytes(x).s. */
struct diag_size_text {
	char s[32];
};
struct diag_size_text diag_bytes(uint64_t bytes);

/* fmt wrapped at 78 columns: `lead` before the first line, as many spaces
 * before the others. */
void diag_para(FILE *out, const char *lead, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ", sized by the 6% rule ...": what an "adjusted to NMB" line means. */
const char *diag_coco_rule(uint64_t adjusted_bytes);

/* The swiotlb= parameter for a pool of nslabs (and one area if asked). */
void diag_param(char *buf, size_t len, uint64_t nslabs, bool one_area);

/* "k of n fills (P%)". */
void diag_share(char *buf, size_t len, unsigned k, unsigned n);

/* The verdict and what to do, for one report. */
void diag_print_verdict(FILE *out, const struct diag_log *log,
			const struct diag_report *r);

#endif
