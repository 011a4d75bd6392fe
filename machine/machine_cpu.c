/* machine/machine_cpu.c - the simulated CPUs: each runs one work item at a
 * time from two FIFO queues (interrupt priority first), and accounts for it.
 *
 * A work item (struct machine_op) starts when its CPU is free and, when the
 * CPUs share fewer host cores than they are (host_cores), when a host core
 * is free: CPUs with work queue for the cores first come first served, and
 * a CPU gives its core up after each item, to the CPU that waited longest.
 * Its kind's begin function lays out its time and schedules its finish;
 * the finish does the accounting, fires the callback and starts the next
 * item.
 */
#include "machine/machine_impl.h"

#include <assert.h>

static void fifo_push(struct op_fifo *f, struct machine_op *op)
{
	op->next = NULL;
	if (f->tail)
		f->tail->next = op;
	else
		f->head = op;
	f->tail = op;
	f->len++;
}

static struct machine_op *fifo_pop(struct op_fifo *f)
{
	struct machine_op *op = f->head;

	if (!op)
		return NULL;
	f->head = op->next;
	if (!f->head)
		f->tail = NULL;
	f->len--;
	op->next = NULL;
	return op;
}

static void op_begin(struct machine *m, struct machine_op *op)
{
	switch (op->kind) {
	case OP_MAP:
		map_begin(m, op);
		return;
	case OP_UNMAP:
		unmap_begin(m, op);
		return;
	case OP_SYNC:
		sync_begin(m, op);
		return;
	case OP_IRQ:
		io_irq_begin(m, op);
		return;
	case OP_WORK:
		op_finish_at(m, op, op->started + op->cost_ns);
		return;
	}
}

/* Runs op on its CPU, which is free. */
static void cpu_start(struct machine *m, struct machine_cpu *c,
		      struct machine_op *op)
{
	c->current = op;
	m->busy_cpus++;
	op->started = sim_now(m->eng);
	op_begin(m, op);
}

static bool cpu_has_work(const struct machine_cpu *c)
{
	return c->irq_q.head || c->q.head;
}

/* Whether c must leave its queued work alone for now: it runs an item,
 * waits for a host core, or (with shared cores) its finishing item's
 * callbacks are still queueing work, which goes behind the CPUs that
 * wait for its core. */
static bool cpu_held(const struct machine *m, const struct machine_cpu *c)
{
	return c->current || c->host_waiting ||
	       (m->cfg.host_cores && m->finishing == c);
}

static void host_wait(struct machine *m, struct machine_cpu *c)
{
	c->host_waiting = true;
	c->host_next = NULL;
	if (m->host_wait_tail)
		m->host_wait_tail->host_next = c;
	else
		m->host_wait_head = c;
	m->host_wait_tail = c;
}

/* Runs c's next item (interrupt priority first) on a free host core. */
static void cpu_start_next(struct machine *m, struct machine_cpu *c)
{
	struct machine_op *op = fifo_pop(&c->irq_q);

	if (!op)
		op = fifo_pop(&c->q);
	m->host_free--;
	cpu_start(m, c, op);
}

/* Starts the next work item when the CPU is free, or queues the CPU for a
 * host core. */
static void cpu_kick(struct machine *m, struct machine_cpu *c)
{
	if (cpu_held(m, c) || !cpu_has_work(c))
		return;
	if (!m->host_free || m->host_wait_head) {
		host_wait(m, c);
		return;
	}
	cpu_start_next(m, c);
}

/* A host core came free: the CPU that waited longest takes it. */
static void host_dispatch(struct machine *m)
{
	while (m->host_free && m->host_wait_head) {
		struct machine_cpu *c = m->host_wait_head;

		m->host_wait_head = c->host_next;
		if (!m->host_wait_head)
			m->host_wait_tail = NULL;
		c->host_waiting = false;
		c->host_next = NULL;
		cpu_start_next(m, c);
	}
}

void cpu_enqueue(struct machine *m, struct machine_op *op)
{
	struct machine_cpu *c = op->cpu;
	bool idle = !cpu_held(m, c) && !cpu_has_work(c);

	/* An interrupt wakes an idle CPU: idle exit and the switch to the
	 * task it wakes, on top of its handler. */
	if (idle && op->kind == OP_IRQ)
		op->cost_ns += m->cfg.costs.idle_wakeup_ns;
	/* A free CPU with nothing queued starts it at once. (A finishing
	 * op's callback sees its CPU free with work still queued.) */
	if (idle && m->host_free && !m->host_wait_head) {
		m->host_free--;
		cpu_start(m, c, op);
		return;
	}
	fifo_push(op->irq ? &c->irq_q : &c->q, op);
	cpu_kick(m, c);
}

sim_time_t op_copy(struct machine *m, struct machine_op *op, sim_time_t t,
		   uint64_t bytes)
{
	sim_time_t ns = costs_transfer_ns(bytes,
					  m->cfg.costs.copy_bytes_per_ns);

	op->copy_ns += ns;
	op->bytes_copied += bytes;
	return t + ns;
}

void op_context_enter(struct machine *m, const struct machine_op *op,
		      int *saved)
{
	*saved = m->irq_cpu;
	m->irq_cpu = op->irq ? (int)op->cpu->id : -1;
}

void op_context_leave(struct machine *m, int saved)
{
	m->irq_cpu = saved;
}

/* Counters every kind of work shares: CPU time, spins, copies. */
static void op_account(struct machine *m, const struct machine_op *op)
{
	struct stats_counters *c = stats_counters_mut(m->stats);
	struct stats_cpu *sc = stats_cpu_mut(m->stats, op->cpu->id);
	sim_time_t busy = sim_now(m->eng) - op->started;

	sc->ops++;
	sc->busy_ns += busy;
	sc->lock_wait_ns += op->locks.wait_ns;
	sc->copy_ns += op->copy_ns;
	c->busy_ns += busy;
	c->copy_ns += op->copy_ns;
	c->bytes_copied += op->bytes_copied;
	c->lock_wait_ns += op->locks.wait_ns;
	c->lock_acquisitions += op->locks.acquisitions;
	c->lock_handoffs += op->locks.handoffs;
}

static void work_finish(struct machine *m, struct machine_op *op)
{
	struct machine_op_result res = {
		.cpu = op->cpu->id,
		.issued = op->issued,
		.started = op->started,
		.finished = sim_now(m->eng),
	};
	int saved;

	stats_counters_mut(m->stats)->work_items++;
	if (!op->cb.done)
		return;
	op_context_enter(m, op, &saved);
	op->cb.done(m, op->ctx, &res);
	op_context_leave(m, saved);
}

static void op_finish_action(struct sim_engine *eng, void *subject,
			     uint64_t arg)
{
	struct machine_op *op = subject;
	struct machine_cpu *c = op->cpu;
	struct machine *m = c->m;

	(void)eng;
	(void)arg;
	assert(c->current == op);
	c->current = NULL;
	m->busy_cpus--;
	m->host_free++;
	op_account(m, op);
	m->finishing = c;
	switch (op->kind) {
	case OP_MAP: map_finish(m, op); break;
	case OP_UNMAP: unmap_finish(m, op); break;
	case OP_SYNC: sync_finish(m, op); break;
	case OP_IRQ: io_irq_finish(m, op); break;
	case OP_WORK: work_finish(m, op); break;
	}
	m->finishing = NULL;
	freelist_put(&m->ops, op);
	host_dispatch(m);
	cpu_kick(m, c);
}

void op_finish_at(struct machine *m, struct machine_op *op, sim_time_t t)
{
	sim_post_at(m->eng, t, op_finish_action, op, 0);
}

static int cpu_work(struct machine *m, unsigned int cpu,
		    sim_time_t duration_ns, machine_done_fn cb, void *ctx)
{
	struct machine_op *op;

	assert(m && cpu < m->ncpus);
	sampler_wake(m);
	op = op_new(m, OP_WORK, cpu, ctx);
	if (!op)
		return -1;
	op->cb.done = cb;
	op->cost_ns = duration_ns;
	cpu_enqueue(m, op);
	return 0;
}

int machine_cpu_work(struct machine *m, unsigned int cpu,
		     sim_time_t duration_ns, machine_done_fn cb, void *ctx)
{
	return cpu_work(m, cpu, costs_scaled_ns(duration_ns,
						m->cfg.cpu_slowdown), cb, ctx);
}

int machine_cpu_wait(struct machine *m, unsigned int cpu,
		     sim_time_t duration_ns, machine_done_fn cb, void *ctx)
{
	return cpu_work(m, cpu, duration_ns, cb, ctx);
}

unsigned int machine_ncpus(const struct machine *m)
{
	return m->ncpus;
}

size_t machine_cpu_queue_len(const struct machine *m, unsigned int cpu)
{
	const struct machine_cpu *c;

	assert(cpu < m->ncpus);
	c = &m->cpus[cpu];
	return c->irq_q.len + c->q.len + (c->current != NULL);
}
