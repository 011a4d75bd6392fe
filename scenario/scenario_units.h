/* scenario/scenario_units.h - the value grammars of scenario files (sizes, times,
 * bandwidths, rates, plain numbers, size distributions, CPU lists) and the
 * formatters that print values so that they read back exactly.
 *
 * Grammar (spaces between a number and its unit are allowed):
 *   size       INT or DECIMAL then a unit; none or B = bytes;
 *              k K Ki KiB = 2^10, M Mi MiB = 2^20, G Gi GiB = 2^30,
 *              T Ti TiB = 2^40; kB KB = 10^3, MB = 10^6, GB = 10^9,
 *              TB = 10^12. "1.5k" is 1536; the result must be a whole
 *              number of bytes. Also 0x hex, without a unit.
 *   time       DECIMAL then ns, us (or µs), ms or s; the unit is required
 *              (a bare number of nanoseconds is a trap when milliseconds
 *              were meant), except for 0. The result must be a whole
 *              number of nanoseconds.
 *   bandwidth  REAL then B/s kB/s KB/s MB/s GB/s TB/s (powers of 1000),
 *              KiB/s MiB/s GiB/s TiB/s (powers of 1024), bit/s kbit/s
 *              Mbit/s Gbit/s Tbit/s (bits, powers of 1000); none = B/s.
 *              Stored as bytes per ns: 1 GB/s is 1.0.
 *   rate       REAL, optionally k/K (10^3), M (10^6) or G (10^9), then
 *              optionally /s: "2000/s", "1M/s", "2000". Per second.
 *   integer    decimal, or 0x hex; a leading - where negatives make sense.
 *   real       decimal with optional fraction and exponent ("0.5", "1e-3").
 *   bool       true/false, yes/no, on/off (any case).
 * Every parser returns 0 with the value, or -1 with `why` saying what is
 * wrong with the text, quoting it: "\"4q\" has an unknown unit \"q\"". */
#ifndef SWSIM_SCENARIO_SCENARIO_UNITS_H
#define SWSIM_SCENARIO_SCENARIO_UNITS_H

#include "scenario/scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* For parsers of compound values: formats `why` and returns -1; copies s
 * without leading and trailing blanks into buf (false: it does not fit). */
int units_fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool units_trim(const char *s, char *buf, size_t len);

/* Room for any formatted value. */
#define UNITS_BUF 40

int units_parse_size(const char *s, uint64_t *bytes, char *why, size_t len);
int units_parse_time(const char *s, uint64_t *ns, char *why, size_t len);
int units_parse_bandwidth(const char *s, double *bytes_per_ns, char *why,
			  size_t len);
int units_parse_rate(const char *s, double *per_s, char *why, size_t len);
int units_parse_uint(const char *s, uint64_t *v, char *why, size_t len);
int units_parse_int(const char *s, int64_t *v, char *why, size_t len);
int units_parse_real(const char *s, double *v, char *why, size_t len);
int units_parse_bool(const char *s, bool *v, char *why, size_t len);

/* A CPU list "0-3,8": *cpu gets a malloc'd ascending list without repeats
 * of the *n CPUs named (each below SCENARIO_MAX_CPUS). */
int units_parse_cpu_list(const char *s, uint32_t **cpu, uint32_t *n,
			 char *why, size_t len);

/* Formatters: buf holds at least UNITS_BUF bytes. The text reads back to
 * the same value with the matching parser. */
void units_format_size(uint64_t bytes, char *buf);   /* "64MiB", "1518" */
void units_format_time(uint64_t ns, char *buf);      /* "20us", "1500us" */
void units_format_bandwidth(double bytes_per_ns, char *buf); /* "3GB/s" */
void units_format_rate(double per_s, char *buf);     /* "2000/s" */
void units_format_real(double v, char *buf);         /* shortest exact */

#endif
