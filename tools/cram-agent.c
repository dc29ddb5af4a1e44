// SPDX-License-Identifier: GPL-2.0
/*
 * cram-agent - a compressing CXL device's telemetry, from a command, to cram.
 *
 *   cram-agent (--region NAME | --serial N) --source COMMAND [--period MS]
 *              [--name NAME] [--device PATH]
 *
 * cram must be loaded with regs=provider for the region. The agent opens
 * /dev/cram-telemetry (root), attaches to the region, and every --period (default
 * 1000 ms): takes cram's mark (a read), runs COMMAND with sh -c, and publishes what
 * it printed with that mark. COMMAND prints `key value` lines (include/cram/
 * telemetry.h: phys_cap, phys_used, logical_cap, logical_used in bytes; crit,
 * status, event optional; other keys ignored), so a vendor's CLI, or a `cxl` or fwctl
 * query wrapped in a script, can be the source. Its values must be measured after it
 * started: cram charges every write after the mark at a full page, and only those.
 * A COMMAND that fails, prints too little, or runs longer than max(4 x period, 1 s)
 * (it is then killed, with its process group) publishes nothing: cram puts the region
 * in safe mode once max(5 x period, 1 s) passes without a snapshot. `event 1` sends
 * an event first, which closes the region's gate at once; the gate opens again only
 * after a snapshot measured after the event, so a source prints it when it sees a
 * threshold newly crossed, not for as long as use is above it.
 *
 * SIGTERM or SIGINT: exit 0, at once (a source still running is killed). Closing the device detaches: the region takes no new
 * pages until a provider attaches again; pages held are still read back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "cram/telemetry.h"

struct agent {
	const char *device, *region, *source, *name;
	unsigned long long serial;
	unsigned int period_ms;
	int fd;
	u64 seq;
};

static sig_atomic_t agent_stop;	/* read and written with __atomic */

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&agent_stop, 1, __ATOMIC_RELAXED);
}

static void die_usage(void)
{
	fprintf(stderr, "usage: cram-agent (--region NAME | --serial N) --source COMMAND [--period MS] [--name NAME] [--device PATH]\n");
	exit(2);
}

static int agent_send(struct agent *a, struct cram_telemetry_msg *m, unsigned int kind)
{
	m->abi = CRAM_TELEMETRY_ABI;
	m->kind = kind;
	m->seq = ++a->seq;
	if (write(a->fd, m, sizeof(*m)) == (ssize_t)sizeof(*m))
		return 0;
	return -errno;
}

static int agent_attach(struct agent *a)
{
	struct cram_telemetry_msg m = { .serial = a->serial };
	int err;

	snprintf(m.region, sizeof(m.region), "%s", a->region ? a->region : "");
	snprintf(m.name, sizeof(m.name), "%s", a->name);
	err = agent_send(a, &m, CRAM_TM_ATTACH);
	if (err)
		fprintf(stderr, "cram-agent: attach to %s: %s%s\n", a->region ? a->region : "serial",
			strerror(-err),
			err == -ENODEV ? " (is cram loaded with regs=provider for it?)" :
			err == -EBUSY ? " (another provider has it)" : "");
	return err;
}

#define AGENT_OUTPUT_MAX	4096

/*
 * Start the source with its stdout on a pipe, in a process group of its own (so a
 * timeout kills what it started too). The read end, or -1; *pid the child.
 */
static int agent_spawn(const char *source, pid_t *pid)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	*pid = fork();
	if (*pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!*pid) {
		setpgid(0, 0);
		dup2(fds[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", source, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	return fds[0];
}

static double agent_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * The source's output, until it closes stdout, within timeout_ms and while no signal
 * asks the agent to stop; then its exit status. -1 (killed, with its group) on a
 * timeout or a stop, said on stderr.
 */
static int agent_collect(int fd, pid_t pid, unsigned int timeout_ms, char *out, size_t max)
{
	double end = agent_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t len = 0;
	ssize_t n = 1;
	int status;

	while (n > 0 && agent_now_ms() < end && !__atomic_load_n(&agent_stop, __ATOMIC_RELAXED)) {
		if (poll(&pfd, 1, (int)(end - agent_now_ms()) + 1) <= 0)
			continue;	/* timeout or a signal: the loop's test decides */
		n = read(fd, out + len, max - 1 - len);
		if (n < 0 && errno == EINTR)
			n = 1;	/* a signal: the loop's test decides */
		len += n > 0 ? (size_t)n : 0;
		if (len == max - 1)
			break;
	}
	out[len] = '\0';
	close(fd);
	if (n) {	/* not at its end of output: never wait for it */
		kill(-pid, SIGKILL);
		fprintf(stderr, "cram-agent: the source %s: killed, nothing published\n",
			n < 0 ? "could not be read" : agent_now_ms() >= end ? "timed out" :
			len == max - 1 ? "printed too much" : "was stopped");
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return n ? -1 : status;
}

/*
 * Run the source (at most max(4 x period, 1 s): a later value is no use to cram);
 * 0 and s filled, or -1 (said why on stderr).
 */
static int agent_measure(struct agent *a, struct cram_tm_source *s)
{
	unsigned int timeout_ms = a->period_ms * 4 > 1000 ? a->period_ms * 4 : 1000;
	char out[AGENT_OUTPUT_MAX], *line, *next;
	const char *why = NULL;
	int fd, status;
	pid_t pid;

	fd = agent_spawn(a->source, &pid);
	if (fd < 0) {
		fprintf(stderr, "cram-agent: cannot run the source: %s\n", strerror(errno));
		return -1;
	}
	status = agent_collect(fd, pid, timeout_ms, out, sizeof(out));
	if (status < 0)
		return -1;
	if (status) {
		fprintf(stderr, "cram-agent: the source failed (status %d): nothing published\n",
			status);
		return -1;
	}
	for (line = out; *line && !why; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (cram_tm_source_line(s, line, &why))
			fprintf(stderr, "cram-agent: source line '%s': %s\n", line, why);
	}
	if (why || cram_tm_source_done(s, &why)) {
		fprintf(stderr, "cram-agent: source: %s: nothing published\n", why);
		return -1;
	}
	return 0;
}

static int agent_once(struct agent *a)
{
	struct cram_tm_source s = { .t.period_ms = a->period_ms };
	struct cram_telemetry_msg m = { 0 };
	int err;

	if (read(a->fd, &s.t.mark, sizeof(s.t.mark)) != (ssize_t)sizeof(s.t.mark)) {
		fprintf(stderr, "cram-agent: mark: %s\n", strerror(errno));
		return -1;
	}
	if (agent_measure(a, &s))
		return 0;	/* no snapshot this time: cram's heartbeat rule decides */
	err = s.event ? agent_send(a, &m, CRAM_TM_EVENT) : 0;
	if (err)
		fprintf(stderr, "cram-agent: event: %s\n", strerror(-err));
	m.t = s.t;
	err = agent_send(a, &m, CRAM_TM_SNAPSHOT);
	if (err == -EINVAL) {	/* malformed (cram logs why): not fatal, the next may do */
		fprintf(stderr, "cram-agent: snapshot refused: %s\n", strerror(-err));
		return 0;
	}
	if (err)
		fprintf(stderr, "cram-agent: snapshot: %s\n", strerror(-err));
	return err ? -1 : 0;
}

static void sleep_until(struct timespec *next, unsigned int ms)
{
	next->tv_nsec += (long)(ms % 1000) * 1000000L;
	next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000L;
	next->tv_nsec %= 1000000000L;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR &&
	       !__atomic_load_n(&agent_stop, __ATOMIC_RELAXED))
		;
}

static void agent_args(struct agent *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "serial", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'c' },
		{ "period", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "device", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		end = "";
		switch (c) {
		case 'r':
			a->region = optarg;
			break;
		case 's':
			a->serial = strtoull(optarg, &end, 0);
			break;
		case 'c':
			a->source = optarg;
			break;
		case 'p':
			a->period_ms = strtoul(optarg, &end, 0);
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'd':
			a->device = optarg;
			break;
		default:
			die_usage();
		}
		if (*end)
			die_usage();
	}
	if (optind != argc || !a->source || !a->region == !a->serial ||
	    !a->period_ms || a->period_ms > 60000)
		die_usage();
}

int main(int argc, char **argv)
{
	struct agent a = { .device = "/dev/cram-telemetry", .name = "cram-agent",
			   .period_ms = 1000 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec next;

	agent_args(&a, argc, argv);
	/* it must run when memory is short: that is when cram needs the telemetry */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "cram-agent: mlockall: %s (it may be swapped out)\n",
			strerror(errno));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	a.fd = open(a.device, O_RDWR | O_CLOEXEC);
	if (a.fd < 0) {
		fprintf(stderr, "cram-agent: %s: %s\n", a.device, strerror(errno));
		return 1;
	}
	if (agent_attach(&a))
		return 1;
	fprintf(stderr, "cram-agent: attached to %s, a snapshot every %u ms\n",
		a.region ? a.region : "its serial's region", a.period_ms);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&agent_stop, __ATOMIC_RELAXED)) {
		if (agent_once(&a))
			return 1;
		sleep_until(&next, a.period_ms);
	}
	return 0;
}
