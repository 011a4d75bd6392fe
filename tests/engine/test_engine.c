/* tests/engine/test_engine.c - exact-expectation tests of engine/: time order,
 * FIFO among equal times, cancel, run_until, stop, and a reference model. */
#include "engine/engine.h"
#include "tests/testutil.h"

#include <stdlib.h>
#include <string.h>

/* Each fired event appends its arg and the time it saw to a log. */
struct log {
	uint64_t tag[64];
	sim_time_t when[64];
	int n;
};

static void record(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct log *log = subject;

	if (log->n < 64) {
		log->tag[log->n] = arg;
		log->when[log->n] = sim_now(eng);
	}
	log->n++;
}

static void test_time_order(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};
	static const sim_time_t at[] = {30, 10, 20, 1000000, 5, 70000, 256,
					255, SIM_S(100)};

	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		sim_schedule_at(eng, at[i], record, &log, i);
	CHECK_EQ(sim_pending(eng), 9);
	CHECK_EQ(sim_run(eng), 9);
	CHECK_EQ(log.n, 9);
	static const uint64_t want[] = {4, 1, 2, 0, 7, 6, 5, 3, 8};
	for (int i = 0; i < 9; i++) {
		CHECK_EQ(log.tag[i], want[i]);
		CHECK_EQ(log.when[i], at[want[i]]);
	}
	CHECK_EQ(sim_now(eng), SIM_S(100));
	CHECK_EQ(sim_pending(eng), 0);
	CHECK_EQ(sim_fired(eng), 9);
	sim_engine_free(eng);
}

/* Tag 100 schedules 101 and 102 at now, and 103 one tick later. */
static void spawn_at_now(struct sim_engine *eng, void *subject, uint64_t arg)
{
	record(eng, subject, arg);
	sim_schedule_in(eng, 0, record, subject, 101);
	sim_schedule_at(eng, sim_now(eng), record, subject, 102);
	sim_schedule_in(eng, 1, record, subject, 103);
}

static void test_fifo_equal_times(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};

	sim_schedule_at(eng, 5, record, &log, 1);
	sim_schedule_at(eng, 5, spawn_at_now, &log, 100);
	sim_schedule_at(eng, 6, record, &log, 4);
	sim_schedule_at(eng, 5, record, &log, 2);
	sim_schedule_at(eng, 5, record, &log, 3);
	CHECK_EQ(sim_run(eng), 8);
	static const uint64_t want[] = {1, 100, 2, 3, 101, 102, 4, 103};
	static const sim_time_t when[] = {5, 5, 5, 5, 5, 5, 6, 6};
	CHECK_EQ(log.n, 8);
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(log.tag[i], want[i]);
		CHECK_EQ(log.when[i], when[i]);
	}
	sim_engine_free(eng);
}

/* Tag 200 (at 65600) schedules 201 at 70000, after 1 and 2 were queued
 * there from time 0; then 3 from 70000 itself. */
static void late_same_time(struct sim_engine *eng, void *subject,
			   uint64_t arg)
{
	record(eng, subject, arg);
	sim_schedule_at(eng, 70000, record, subject, 201);
}

static void test_fifo_across_levels(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};

	sim_schedule_at(eng, 70000, record, &log, 1);
	sim_schedule_at(eng, 65600, late_same_time, &log, 200);
	sim_schedule_at(eng, 70000, record, &log, 2);
	sim_schedule_at(eng, 69999, spawn_at_now, &log, 100);
	CHECK_EQ(sim_run_until(eng, 69999), 4);	/* 200, 100, 101, 102 */
	sim_schedule_at(eng, 70000, record, &log, 3);
	CHECK_EQ(sim_run(eng), 5);
	static const uint64_t want[] = {200, 100, 101, 102, 1, 2, 201, 103, 3};
	CHECK_EQ(log.n, 9);
	for (int i = 0; i < 9; i++)
		CHECK_EQ(log.tag[i], want[i]);
	sim_engine_free(eng);
}

/* Tag 300 (at 1030) schedules 301 and 302 at 1040 and 303 at 1030: the
 * run of window [1024, 1088) still holds more than a few records, so they
 * wait in level 0 and must fire after the run's records of their time. */
static void late_in_window(struct sim_engine *eng, void *subject,
			   uint64_t arg)
{
	record(eng, subject, arg);
	sim_schedule_at(eng, 1040, record, subject, 301);
	sim_schedule_at(eng, 1040, record, subject, 302);
	sim_schedule_at(eng, 1030, record, subject, 303);
}

static void test_fifo_run_and_level0(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};

	sim_schedule_at(eng, 1030, late_in_window, &log, 300);
	for (uint64_t i = 0; i < 40; i++)	/* 1030, 1031, 1040, 1041 */
		sim_schedule_at(eng, 1030 + (i % 2) + 10 * (i / 20), record,
				&log, i);
	CHECK_EQ(sim_run(eng), 44);
	CHECK_EQ(log.n, 44);
	/* 300, then the even tags below 20 (1030), 303, the odd ones (1031),
	 * the even ones from 20 (1040), 301, 302, the odd ones (1041). */
	int k = 0;
	CHECK_EQ(log.tag[k++], 300);
	for (uint64_t i = 0; i < 20; i += 2)
		CHECK_EQ(log.tag[k++], i);
	CHECK_EQ(log.tag[k++], 303);
	for (uint64_t i = 1; i < 20; i += 2)
		CHECK_EQ(log.tag[k++], i);
	for (uint64_t i = 20; i < 40; i += 2)
		CHECK_EQ(log.tag[k++], i);
	CHECK_EQ(log.tag[k++], 301);
	CHECK_EQ(log.tag[k++], 302);
	for (uint64_t i = 21; i < 40; i += 2)
		CHECK_EQ(log.tag[k++], i);
	for (int i = 1; i < 44; i++)
		CHECK(log.when[i] >= log.when[i - 1]);
	sim_engine_free(eng);
}

/* run_until() stopping inside a window whose records are all later than
 * the limit: events scheduled then, at now and just after, in that window,
 * still fire first and in order. */
static void test_run_until_inside_window(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};

	sim_schedule_at(eng, 1000, record, &log, 1000);
	sim_schedule_at(eng, 5000, record, &log, 5000);
	sim_schedule_at(eng, 5000, record, &log, 5001);
	CHECK_EQ(sim_run_until(eng, 4995), 1);	/* 5000's window: 4992.. */
	CHECK_EQ(sim_now(eng), 4995);
	sim_schedule_in(eng, 0, record, &log, 4995);
	sim_schedule_at(eng, 5000, record, &log, 5002);
	sim_schedule_in(eng, 4, record, &log, 4999);
	CHECK_EQ(sim_run(eng), 5);
	static const uint64_t want[] = {1000, 4995, 4999, 5000, 5001, 5002};
	static const sim_time_t when[] = {1000, 4995, 4999, 5000, 5000, 5000};
	CHECK_EQ(log.n, 6);
	for (int i = 0; i < 6; i++) {
		CHECK_EQ(log.tag[i], want[i]);
		CHECK_EQ(log.when[i], when[i]);
	}
	sim_engine_free(eng);
}

struct canceller {
	struct log *log;
	sim_event_id victim;
	bool result;
};

static void cancel_victim(struct sim_engine *eng, void *subject,
			  uint64_t arg)
{
	struct canceller *c = subject;

	record(eng, c->log, arg);
	c->result = sim_cancel(eng, c->victim);
}

static void test_cancel(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};
	sim_event_id a = sim_schedule_at(eng, 10, record, &log, 1);
	sim_event_id b = sim_schedule_at(eng, 20, record, &log, 2);
	sim_event_id c = sim_schedule_at(eng, 20, record, &log, 3);

	CHECK(a != 0 && b != 0 && c != 0);
	CHECK(a != b && b != c && a != c);
	CHECK_EQ(sim_pending(eng), 3);
	CHECK(sim_cancel(eng, b));
	CHECK_EQ(sim_pending(eng), 2);
	CHECK(!sim_cancel(eng, b));		/* already cancelled */
	CHECK(!sim_cancel(eng, 0));
	CHECK(!sim_cancel(eng, (sim_event_id)7 << 32 | 12345));
	CHECK_EQ(sim_pending(eng), 2);

	/* A slot reused by a new event must not revive the cancelled id. */
	sim_event_id d = sim_schedule_at(eng, 20, record, &log, 4);
	CHECK(d != b);
	CHECK(!sim_cancel(eng, b));
	CHECK_EQ(sim_pending(eng), 3);

	CHECK_EQ(sim_run(eng), 3);
	CHECK_EQ(log.n, 3);
	CHECK_EQ(log.tag[0], 1);
	CHECK_EQ(log.tag[1], 3);
	CHECK_EQ(log.tag[2], 4);
	CHECK(!sim_cancel(eng, a));		/* already fired */
	CHECK(!sim_cancel(eng, c));
	CHECK_EQ(sim_pending(eng), 0);
	CHECK_EQ(sim_fired(eng), 3);
	sim_engine_free(eng);
}

static void test_cancel_from_action(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};
	struct canceller same = {.log = &log}, fired = {.log = &log};

	sim_schedule_at(eng, 50, cancel_victim, &same, 1);
	same.victim = sim_schedule_at(eng, 50, record, &log, 2);
	fired.victim = sim_schedule_at(eng, 40, record, &log, 3);
	sim_schedule_at(eng, 60, cancel_victim, &fired, 4);
	CHECK_EQ(sim_run(eng), 3);
	CHECK(same.result);
	CHECK(!fired.result);
	CHECK_EQ(log.n, 3);
	CHECK_EQ(log.tag[0], 3);
	CHECK_EQ(log.tag[1], 1);
	CHECK_EQ(log.tag[2], 4);
	sim_engine_free(eng);
}

static void test_run_until(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};

	CHECK_EQ(sim_run_until(eng, 7), 0);	/* empty: time still moves */
	CHECK_EQ(sim_now(eng), 7);
	for (uint64_t t = 10; t <= 40; t += 10)
		sim_schedule_at(eng, t, record, &log, t);
	sim_schedule_at(eng, 300000, record, &log, 300000);
	CHECK_EQ(sim_run_until(eng, 29), 2);
	CHECK_EQ(sim_now(eng), 29);
	CHECK_EQ(sim_run_until(eng, 30), 1);	/* time == limit fires */
	CHECK_EQ(sim_now(eng), 30);
	CHECK_EQ(sim_run_until(eng, 35), 0);
	CHECK_EQ(sim_now(eng), 35);
	CHECK_EQ(sim_pending(eng), 2);
	sim_schedule_in(eng, 0, record, &log, 35);
	sim_schedule_in(eng, 1, record, &log, 36);
	CHECK_EQ(sim_run_until(eng, 200000), 3);
	CHECK_EQ(sim_now(eng), 200000);
	sim_schedule_in(eng, 5, record, &log, 200005);
	CHECK_EQ(sim_run(eng), 2);
	CHECK_EQ(sim_now(eng), 300000);
	static const uint64_t want[] = {10, 20, 30, 35, 36, 40, 200005, 300000};
	CHECK_EQ(log.n, 8);
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(log.tag[i], want[i]);
		CHECK_EQ(log.when[i], want[i]);
	}
	sim_engine_free(eng);
}

static void stop_here(struct sim_engine *eng, void *subject, uint64_t arg)
{
	record(eng, subject, arg);
	sim_stop(eng);
}

static void test_stop(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct log log = {0};

	sim_schedule_at(eng, 10, record, &log, 1);
	sim_schedule_at(eng, 20, stop_here, &log, 2);
	sim_schedule_at(eng, 20, record, &log, 3);
	sim_schedule_at(eng, 30, stop_here, &log, 4);
	sim_schedule_at(eng, 40, record, &log, 5);
	CHECK_EQ(sim_run(eng), 2);
	CHECK_EQ(sim_now(eng), 20);
	CHECK_EQ(sim_pending(eng), 3);
	CHECK_EQ(sim_run_until(eng, 100), 2);	/* stopped at 30 */
	CHECK_EQ(sim_now(eng), 30);
	CHECK_EQ(sim_run_until(eng, 100), 1);
	CHECK_EQ(sim_now(eng), 100);
	CHECK_EQ(log.n, 5);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(log.tag[i], (uint64_t)i + 1);
	sim_engine_free(eng);
}

static void test_two_engines(void)
{
	struct sim_engine *a = sim_engine_new(), *b = sim_engine_new();
	struct log la = {0}, lb = {0};

	sim_schedule_at(a, 10, record, &la, 1);
	sim_schedule_at(b, 5, record, &lb, 2);
	sim_schedule_at(a, 3, record, &la, 3);
	CHECK_EQ(sim_run_until(b, 100), 1);
	CHECK_EQ(sim_now(a), 0);
	CHECK_EQ(sim_pending(a), 2);
	CHECK_EQ(sim_run(a), 2);
	CHECK_EQ(la.tag[0], 3);
	CHECK_EQ(la.tag[1], 1);
	CHECK_EQ(lb.tag[0], 2);
	CHECK_EQ(sim_now(b), 100);
	sim_engine_free(a);
	sim_engine_free(b);
}

/* ---- randomized comparison against a sorted-array reference ---- */

/* The reference keeps events sorted by (time, scheduling order), latest
 * first, so the next to fire is the last element. */
struct ref_event {
	sim_time_t at;
	uint64_t seq, tag;
};

struct ref {
	struct ref_event *ev;
	size_t n, cap;
	uint64_t seq;
	sim_time_t now;
};

static bool ref_before(const struct ref_event *a, const struct ref_event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void ref_schedule(struct ref *r, sim_time_t at, uint64_t tag)
{
	struct ref_event e = {at, r->seq++, tag};
	size_t i = 0;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 256;
		r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
	}
	while (i < r->n && ref_before(&e, &r->ev[i]))
		i++;
	memmove(&r->ev[i + 1], &r->ev[i], (r->n - i) * sizeof(e));
	r->ev[i] = e;
	r->n++;
}

static bool ref_cancel(struct ref *r, uint64_t tag)
{
	if (tag % 3 == 2)
		return false;		/* posted: no id */
	for (size_t i = 0; i < r->n; i++) {
		if (r->ev[i].tag == tag) {
			memmove(&r->ev[i], &r->ev[i + 1],
				(r->n - i - 1) * sizeof(r->ev[0]));
			r->n--;
			return true;
		}
	}
	return false;
}

/* One randomized scenario, run either on the engine or on the reference;
 * the two must write the same log. */
struct model {
	struct sim_engine *eng;	/* NULL: the reference runs */
	struct ref ref;
	sim_event_id *ids;	/* engine id of each tag */
	uint64_t next_tag;
	uint64_t fired;
	uint64_t *log;
	size_t nlog, logcap;
};

#define LOG_CANCEL_OK (1ull << 62)
#define LOG_CANCEL_NO (1ull << 61)
#define LOG_STATE (1ull << 60)

static void model_log(struct model *m, uint64_t v)
{
	if (m->nlog == m->logcap) {
		m->logcap = m->logcap ? 2 * m->logcap : 1024;
		m->log = realloc(m->log, m->logcap * sizeof(*m->log));
	}
	m->log[m->nlog++] = v;
}

static uint64_t mix(uint64_t x)	/* splitmix64's finalizer */
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Delays from every level of the engine: 0, ticks, hundreds, thousands,
 * across 64 Ki and 16 Mi boundaries, and rare huge ones. */
static sim_time_t random_delay(uint64_t r)
{
	static const sim_time_t span[8] = {0, 16, 16, 300, 5000, 100000,
					   1 << 24, 1ull << 40};
	unsigned cls = r % 8;

	r >>= 3;
	if (cls == 7 && r % 16)
		cls = 3;
	if (!span[cls])
		return 0;
	sim_time_t d = r % span[cls] + 1;
	return (r >> 40) % 3 ? d : d / 100 * 100;	/* equal times often */
}

static sim_time_t model_now(struct model *m)
{
	return m->eng ? sim_now(m->eng) : m->ref.now;
}

static void model_fire(struct sim_engine *eng, void *subject, uint64_t tag);

static void model_schedule(struct model *m, sim_time_t at)
{
	uint64_t tag = m->next_tag++;

	m->ids = realloc(m->ids, m->next_tag * sizeof(*m->ids));
	/* Every third event is posted: no id, never cancelled. */
	if (m->eng && tag % 3 == 2) {
		sim_post_at(m->eng, at, model_fire, m, tag);
		m->ids[tag] = 0;
	} else if (m->eng) {
		m->ids[tag] = sim_schedule_at(m->eng, at, model_fire, m, tag);
	} else {
		ref_schedule(&m->ref, at, tag);
	}
}

static void model_cancel(struct model *m, uint64_t tag)
{
	bool ok = m->eng ? sim_cancel(m->eng, m->ids[tag])
			 : ref_cancel(&m->ref, tag);

	model_log(m, (ok ? LOG_CANCEL_OK : LOG_CANCEL_NO) | tag);
}

/* A tag to cancel: often a recent one, which is likely still pending. */
static uint64_t pick_tag(const struct model *m, uint64_t r)
{
	uint64_t back = (r >> 2) % 64 + 1;

	if (r % 4 == 0 || back > m->next_tag)
		return (r >> 8) % m->next_tag;
	return m->next_tag - back;
}

/* What a fired event does depends only on its tag, so both runs agree
 * as long as they fire the same tags in the same order. */
static void model_on_fire(struct model *m, uint64_t tag)
{
	uint64_t h = mix(tag);

	m->fired++;
	model_log(m, tag);
	model_log(m, model_now(m));
	if (h % 4 == 0)
		model_schedule(m, model_now(m) + random_delay(h >> 8));
	if (h % 5 == 0)
		model_schedule(m, model_now(m));
	if ((h >> 4) % 7 == 0)
		model_cancel(m, pick_tag(m, h >> 20));
}

static void model_fire(struct sim_engine *eng, void *subject, uint64_t tag)
{
	(void)eng;
	model_on_fire(subject, tag);
}

static void model_run_until(struct model *m, sim_time_t limit)
{
	if (m->eng) {
		sim_run_until(m->eng, limit);
		return;
	}
	struct ref *r = &m->ref;
	while (r->n && r->ev[r->n - 1].at <= limit) {
		struct ref_event e = r->ev[--r->n];

		r->now = e.at;
		model_on_fire(m, e.tag);
	}
	r->now = limit;
}

static size_t model_pending(struct model *m)
{
	return m->eng ? sim_pending(m->eng) : m->ref.n;
}

/* The same fixed-seed script of schedules, cancels and runs. */
static void model_script(struct model *m, uint64_t seed, int ops)
{
	for (int i = 0; i < ops; i++) {
		uint64_t r = mix(seed + (uint64_t)i);

		switch (r % 10) {
		case 0: case 1: case 2: case 3: case 4:
			model_schedule(m, model_now(m) + random_delay(r >> 4));
			break;
		case 5: case 6:
			if (m->next_tag)
				model_cancel(m, pick_tag(m, r >> 4));
			break;
		default:
			model_run_until(m, model_now(m) +
					       random_delay(r >> 4) / 4);
			model_log(m, LOG_STATE | model_now(m));
			model_log(m, LOG_STATE | model_pending(m));
		}
	}
	model_run_until(m, SIM_TIME_MAX / 2);
	model_log(m, LOG_STATE | model_pending(m));
}

static void test_random_vs_reference(void)
{
	struct model eng = {.eng = sim_engine_new()}, ref = {0};
	size_t cancel_ok = 0, cancel_no = 0;

	model_script(&eng, 12345, 30000);
	model_script(&ref, 12345, 30000);
	CHECK_EQ(eng.nlog, ref.nlog);
	for (size_t i = 0; i < eng.nlog && i < ref.nlog; i++) {
		if (eng.log[i] != ref.log[i]) {
			CHECK_EQ(eng.log[i], ref.log[i]);
			CHECK_EQ(i, ~(size_t)0);	/* where they part */
			break;
		}
		cancel_ok += (eng.log[i] & LOG_CANCEL_OK) != 0;
		cancel_no += (eng.log[i] & LOG_CANCEL_NO) != 0;
	}
	/* The script did real work of every kind. */
	CHECK(eng.fired > 25000);
	CHECK(cancel_ok > 500 && cancel_no > 1000);
	CHECK_EQ(sim_fired(eng.eng), eng.fired);
	CHECK_EQ(eng.fired, ref.fired);
	sim_engine_free(eng.eng);
	free(eng.ids), free(eng.log), free(ref.ids), free(ref.log);
	free(ref.ref.ev);
}

/* ---- many cancels: dead records are purged, order is kept ---- */

struct purge_run {
	sim_event_id id[6000];
	uint64_t fired_tags[6000];
	sim_time_t fired_at[6000];
	int nfired;
};

static void purge_record(struct sim_engine *eng, void *subject, uint64_t arg)
{
	struct purge_run *p = subject;

	p->fired_tags[p->nfired] = arg;
	p->fired_at[p->nfired++] = sim_now(eng);
}

/* Tag 0 fires first at 1000, amid 2999 others at 1000, and cancels every
 * other tag not divisible by 3: the purge runs while the bucket at 1000 is
 * half fired. */
static void purge_from_action(struct sim_engine *eng, void *subject,
			      uint64_t arg)
{
	struct purge_run *p = subject;

	purge_record(eng, subject, arg);
	for (int i = 2; i < 6000; i++)
		if (i % 3)
			CHECK(sim_cancel(eng, p->id[i]));
	CHECK_EQ(sim_pending(eng), 1999);
	sim_schedule_in(eng, 0, purge_record, p, 6000);
}

static sim_time_t purge_time(int i)
{
	return i < 3000 ? 1000 : 1000 + mix((uint64_t)i) % 200000;
}

static void test_mass_cancel(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct purge_run *p = calloc(1, sizeof(*p));

	p->id[0] = sim_schedule_at(eng, 1000, purge_from_action, p, 0);
	for (int i = 1; i < 6000; i++)
		p->id[i] = sim_schedule_at(eng, purge_time(i), purge_record,
					   p, (uint64_t)i);
	CHECK(sim_cancel(eng, p->id[1]));	/* before the run, too */
	CHECK(!sim_cancel(eng, p->id[1]));
	CHECK_EQ(sim_run(eng), 2001);
	CHECK_EQ(p->nfired, 2001);
	CHECK_EQ(sim_pending(eng), 0);
	/* Expected: 0, the survivors at 1000, 6000, then the rest by time. */
	int k = 0;
	CHECK_EQ(p->fired_tags[k++], 0);
	for (int i = 3; i < 3000 && k < p->nfired; i += 3)
		CHECK_EQ(p->fired_tags[k++], i);
	CHECK_EQ(p->fired_tags[k++], 6000);
	for (; k < p->nfired; k++) {
		CHECK_EQ(p->fired_tags[k] % 3, 0);
		CHECK_EQ(p->fired_at[k], purge_time((int)p->fired_tags[k]));
		CHECK(p->fired_at[k] > p->fired_at[k - 1] ||
		      (p->fired_at[k] == p->fired_at[k - 1] &&
		       p->fired_tags[k] > p->fired_tags[k - 1]));
	}
	for (int i = 0; i < 6000; i++)
		CHECK(!sim_cancel(eng, p->id[i]));
	free(p);
	sim_engine_free(eng);
}

/* ---- large N: 10^5 pending, a hold phase, exact order ---- */

struct hold_check {
	sim_time_t last_at;
	uint64_t last_seq, next_seq, fired, errors, refills;
	sim_time_t *due;	/* time each seq was scheduled for */
};

static void hold_fire(struct sim_engine *eng, void *subject, uint64_t seq)
{
	struct hold_check *h = subject;
	sim_time_t now = sim_now(eng);

	/* Time order, FIFO among equal times, and no event early or late. */
	if (now < h->last_at || (now == h->last_at && seq < h->last_seq) ||
	    h->due[seq] != now)
		h->errors++;
	h->last_at = now;
	h->last_seq = seq;
	h->fired++;
	if (h->refills) {
		h->refills--;
		uint64_t s = h->next_seq++;
		h->due[s] = now + mix(s) % 2000;
		sim_schedule_at(eng, h->due[s], hold_fire, h, s);
	}
}

static void test_large_n(void)
{
	enum { N = 100000, REFILLS = 400000 };
	struct sim_engine *eng = sim_engine_new();
	struct hold_check h = {.refills = REFILLS};

	h.due = malloc((N + REFILLS) * sizeof(*h.due));
	for (uint64_t s = 0; s < N; s++) {
		h.due[s] = mix(s) % 50000;	/* about two per time */
		sim_schedule_at(eng, h.due[s], hold_fire, &h, s);
	}
	h.next_seq = N;
	CHECK_EQ(sim_pending(eng), N);
	CHECK_EQ(sim_run_until(eng, 10000), h.fired);
	CHECK_EQ(h.errors, 0);
	CHECK(h.fired > N / 10 && h.refills > 0);
	CHECK_EQ(sim_pending(eng), N);	/* each fired event made one */
	sim_run(eng);
	CHECK_EQ(h.errors, 0);
	CHECK_EQ(h.fired, N + REFILLS);
	CHECK_EQ(sim_fired(eng), N + REFILLS);
	CHECK_EQ(sim_pending(eng), 0);
	free(h.due);
	sim_engine_free(eng);
}

/* ---- density changes: level 0 narrows and widens, order is kept ---- */

/* Phases by how many events have fired: dense (4000 pending, each firing
 * one within 1000 ns, so about 1000 per 256 ns), sparse (each firing one
 * 40..250 ns ahead while the rest drain: a run of one or two per 64 ns),
 * then dense again. Coarse times make many equal, so FIFO is exercised
 * across every change of width. */
struct density_check {
	sim_time_t last_at;
	uint64_t last_seq, next_seq, fired, errors;
	sim_time_t *due;
};

enum { DENSE_N = 4000, PHASE1 = 60000, PHASE2 = 66000, PHASE3 = 76000,
       DENSITY_SEQS = 200000 };

static void density_fire(struct sim_engine *eng, void *subject,
			 uint64_t seq);

static void density_next(struct sim_engine *eng, struct density_check *h,
			 sim_time_t delay)
{
	uint64_t s = h->next_seq++;

	h->due[s] = sim_now(eng) + delay;
	sim_schedule_at(eng, h->due[s], density_fire, h, s);
}

static void density_fire(struct sim_engine *eng, void *subject, uint64_t seq)
{
	struct density_check *h = subject;
	sim_time_t now = sim_now(eng);
	uint64_t r = mix(seq);

	if (now < h->last_at || (now == h->last_at && seq < h->last_seq) ||
	    h->due[seq] != now)
		h->errors++;
	h->last_at = now;
	h->last_seq = seq;
	h->fired++;
	if (h->fired < PHASE1) {
		density_next(eng, h, r % 1000 / 4 * 4);
	} else if (h->fired < PHASE2) {
		if (r % 2000 == 0 || sim_pending(eng) < 2)
			density_next(eng, h, 40 + r % 211);
	} else if (h->fired < PHASE3) {
		density_next(eng, h, 40 + r % 211);
		if (h->fired > PHASE2 + 5000 && sim_pending(eng) < DENSE_N)
			for (int i = 0; i < 8; i++)
				density_next(eng, h, mix(r + i) % 1000 / 4 * 4);
	} else if (h->next_seq < DENSITY_SEQS - 1) {
		density_next(eng, h, r % 1000 / 4 * 4);
	}
}

static void test_density_changes(void)
{
	struct sim_engine *eng = sim_engine_new();
	struct density_check h = {0};

	h.due = malloc(DENSITY_SEQS * sizeof(*h.due));
	for (int i = 0; i < DENSE_N; i++)
		density_next(eng, &h, mix((uint64_t)i) % 1000);
	sim_run(eng);
	CHECK_EQ(h.errors, 0);
	CHECK_EQ(h.fired, h.next_seq);
	CHECK(h.fired > PHASE3 + 50000);
	CHECK_EQ(sim_pending(eng), 0);
	free(h.due);
	sim_engine_free(eng);
}

int main(void)
{
	RUN(test_time_order);
	RUN(test_fifo_equal_times);
	RUN(test_fifo_across_levels);
	RUN(test_fifo_run_and_level0);
	RUN(test_run_until_inside_window);
	RUN(test_cancel);
	RUN(test_cancel_from_action);
	RUN(test_run_until);
	RUN(test_stop);
	RUN(test_two_engines);
	RUN(test_random_vs_reference);
	RUN(test_mass_cancel);
	RUN(test_large_n);
	RUN(test_density_changes);
	return tu_finish();
}
