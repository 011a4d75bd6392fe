/* sweep/sweep_run.c - the sweep's worker processes: fork/exec with a job
 * limit, reaping, the progress line, and stopping on signals. */
#define _GNU_SOURCE
#include "sweep/sweep_run.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_GRACE_S 5.0            /* SIGTERM, then SIGKILL after this */
#define TICK_NS 250000000L          /* progress refresh and reap poll */

unsigned sweep_cpu_count(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void format_duration(double s, char *buf, size_t len)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* "sweep: 12/64 points, 0:42 elapsed, ETA 1:30, 1 failed" */
static void draw(const struct sweep_progress *p, size_t ran_here,
		 double start)
{
	double elapsed = now_s() - start;
	char el[32], eta[32] = "?";

	if (!p->show)
		return;
	format_duration(elapsed, el, sizeof(el));
	if (ran_here)
		format_duration(elapsed / (double)ran_here *
				(double)(p->total - p->done), eta, sizeof(eta));
	fprintf(stderr, "\r\033[Ksweep: %zu/%zu points, %s elapsed, ETA %s, "
		"%zu failed", p->done, p->total, el, eta, p->failed);
	fflush(stderr);
}

/* In the child: its own process group, SIGTERM when the driver dies, the
 * driver's signal mask undone, output into the log; then exec. */
static void exec_child(const struct sweep_job *job, const sigset_t *mask,
		       pid_t driver)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != driver)
		_exit(127);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	fd = open(job->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	execv(job->argv[0], job->argv);
	fprintf(stderr, "cannot run %s: %s\n", job->argv[0], strerror(errno));
	_exit(127);
}

static void on_child(int sig)
{
	(void)sig;
}

struct pool {
	pid_t *pid;                 /* by job; 0: not running */
	size_t running;
	const struct sweep_job *jobs;
	size_t njobs;
};

/* Reaps every child that has ended; returns how many. */
static size_t reap(struct pool *pl, struct sweep_progress *p,
		   sweep_job_done done, void *ctx)
{
	size_t n = 0;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t j = 0; j < pl->njobs; j++) {
			if (pl->pid[j] != pid)
				continue;
			pl->pid[j] = 0;
			pl->running--;
			p->done++;
			if (done(ctx, j, status))
				p->failed++;
			n++;
			break;
		}
	}
	return n;
}

/* Stops the running children: SIGTERM to each one's process group, then
 * SIGKILL to those still there after the grace period; reaps them all. */
static void stop_children(struct pool *pl, struct sweep_progress *p,
			  sweep_job_done done, void *ctx)
{
	double deadline = now_s() + STOP_GRACE_S;
	bool killed = false;

	for (size_t j = 0; j < pl->njobs; j++)
		if (pl->pid[j])
			kill(-pl->pid[j], SIGTERM);
	while (pl->running) {
		struct timespec pause = { 0, 20000000L };

		reap(pl, p, done, ctx);
		if (!pl->running)
			break;
		if (!killed && now_s() > deadline) {
			for (size_t j = 0; j < pl->njobs; j++)
				if (pl->pid[j])
					kill(-pl->pid[j], SIGKILL);
			killed = true;
		}
		nanosleep(&pause, NULL);
	}
}

/* Starts job j; returns 0 or -1 (errno set) when fork failed. */
static int launch(struct pool *pl, size_t j, const sigset_t *mask)
{
	pid_t driver = getpid(), pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		exec_child(&pl->jobs[j], mask, driver);
	/* Both sides set the group, so a kill cannot come before it exists. */
	setpgid(pid, pid);
	pl->pid[j] = pid;
	pl->running++;
	return 0;
}

/* Takes back what is pending of the signals in set, before they are
 * unblocked (a child reaped, or a second Ctrl-C while stopping). */
static void drop_pending(const sigset_t *set)
{
	const struct timespec zero = { 0, 0 };

	while (sigtimedwait(set, NULL, &zero) > 0)
		;
}

int sweep_run_jobs(const struct sweep_job *jobs, size_t njobs,
		   unsigned parallel, struct sweep_progress *p,
		   sweep_job_done done, void *ctx, char *err, size_t errlen)
{
	struct pool pl = { calloc(njobs ? njobs : 1, sizeof(pid_t)), 0, jobs,
			   njobs };
	struct sigaction sa = { .sa_handler = on_child }, old_chld;
	const struct timespec tick = { 0, TICK_NS };
	sigset_t set, old_mask;
	double start = now_s();
	size_t next = 0, ran_here = 0;
	int stop = 0, status = 0;

	if (!pl.pid) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old_mask);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	fflush(NULL);           /* no buffered output twice, via the children */
	draw(p, 0, start);
	while (!stop && !status && (next < njobs || pl.running)) {
		int sig;

		while (pl.running < (parallel ? parallel : 1) && next < njobs &&
		       !status)
			if (launch(&pl, next++, &old_mask)) {
				snprintf(err, errlen, "cannot start a worker: "
					 "%s", strerror(errno));
				status = -1;
			}
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			stop = sig;
		ran_here += reap(&pl, p, done, ctx);
		draw(p, ran_here, start);
	}
	if (stop || status)
		stop_children(&pl, p, done, ctx);
	if (p->show) {
		draw(p, ran_here, start);
		fputc('\n', stderr);
	}
	sigaction(SIGCHLD, &old_chld, NULL);
	drop_pending(&set);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	free(pl.pid);
	return status ? status : stop;
}
