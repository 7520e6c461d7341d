// SPDX-License-Identifier: GPL-2.0
/*
 * wd-bench's deterministic mode (--count TTY): what each ring path and
 * small op costs, counted rather than timed.
 *
 * The lab boots this run under QEMU's -icount with its instruction-count
 * plugin (scripts/bench/insn-count.c), which answers on serial port TTY.
 * Each case runs a fixed number of ops between the plugin's two markers
 * and reports, per op:
 *  - the instructions executed on CPU 0, where this thread is pinned (user
 *    space and kernel apart): what the submitting CPU pays;
 *  - the instructions executed on the other CPUs, where the engine
 *    threads and the pool's workers are pinned (and the SQPOLL thread):
 *    what the work costs elsewhere, polling included;
 *  - the SYSCALL instructions executed in user space;
 *  - the wake-ups of the engine and pool threads (their voluntary context
 *    switches, from /proc, read outside the window).
 * With the guest clock driven by the instruction count, timer ticks fall
 * at the same points in every run, so two runs agree to within a fraction
 * of a percent, on two conditions this mode keeps:
 *  - nothing spins waiting for another CPU. Under -icount one host thread
 *    runs the vCPUs in turn, each until it idles, executes PAUSE or its
 *    slice ends, so a spinner's count depends on the emulator's turns,
 *    not on the work. The engines do not busy-poll here (poll_us 0: each
 *    batch pays a wake-up, counted), and the polling rows, IOPOLL and
 *    SQPOLL, report their system calls and wake-ups, not instructions;
 *  - nothing of the previous case, nor of the kernel's own background
 *    memory work, runs in a window: each case starts after a pause
 *    (guest time, which costs nothing here) that lets deferred teardown
 *    finish, and proactive compaction and khugepaged are off.
 * One instruction is one unit:
 * a vector instruction moving 32 bytes counts as one, a string
 * instruction counts once per iteration, and a cache miss costs nothing;
 * bulk data figures stay with the wall-clock run.
 */
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <liburing.h>
#include <liburing-accel.h>
#include "wd-tool.h"
#include "wd-count.h"
#include "wd-bench.h"

#define RING_OPS	4096	/* ops per ring-path case */

struct cost {
	double sub_user, sub_kernel;	/* CPU 0, this thread's */
	double other;			/* all other CPUs */
	double syscalls, wakeups;
	double total;
};

static int cfd;
static int last_cpu;
static long long poll_us = -1;	/* the engines' own setting, restored */

/* No polling engine, or the device's own setting back (@on). */
static void engine_polling(int on)
{
	if (poll_us >= 0 && sysfs_set(dev, "poll_us", on ? poll_us : 0))
		die("poll_us", errno);
}

/*
 * Let the previous case's deferred work finish: a ring's teardown runs
 * in a kworker that looks again every 50 ms.
 */
static void quiesce(void)
{
	usleep(250 * 1000);
}

/* Write @value to the sysctl or sysfs file @path, if there is one. */
static void tune(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return;
	fputs(value, f);
	fclose(f);
}
static struct wd_count win;
static long win_switches;

/* Threads that work for this one: the device's engines, the pool's workers. */
static int helper_comm(const char *comm)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "wd_%s", dev);
	return !strncmp(comm, prefix, strlen(prefix)) ||
	       !strncmp(comm, "wd-bench-pool", 13);
}

/*
 * For every helper thread (in /proc/PID/task/TID, or /proc/PID for kernel
 * threads): pin it to the last CPU if @pin, and return the sum of its
 * context switches.
 */
static long helpers(int pin)
{
	cpu_set_t set;
	long sum = 0;
	DIR *procs;
	struct dirent *p;

	CPU_ZERO(&set);
	CPU_SET(last_cpu, &set);
	procs = opendir("/proc");
	if (!procs)
		die("/proc", errno);
	while ((p = readdir(procs))) {
		char path[600], line[128], comm[64] = "";
		struct dirent *t;
		DIR *tasks;

		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((t = readdir(tasks))) {
			FILE *f;

			if (t->d_name[0] < '0' || t->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/status",
				 p->d_name, t->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f)) {
				long v;

				if (sscanf(line, "Name: %63s", comm) == 1 &&
				    !helper_comm(comm))
					break;
				/* a wake-up ends a sleep: preemptions are not */
				if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
					sum += v;
			}
			fclose(f);
			/* best effort: a thread that refuses stays unpinned */
			if (pin && helper_comm(comm))
				sched_setaffinity(atoi(t->d_name), sizeof(set), &set);
		}
		closedir(tasks);
	}
	closedir(procs);
	return sum;
}

/* The window hook: helpers pinned and their switches read outside it. */
static void count_window(int open)
{
	int ret;

	if (open) {
		win_switches = helpers(1);
		wd_count_begin();
		return;
	}
	ret = wd_count_end(cfd, &win);
	if (ret)
		die("reading the instruction counts", ret);
	win_switches = helpers(0) - win_switches;
}

static struct cost per_op(unsigned long ops)
{
	struct cost c = {};
	unsigned int i;

	c.sub_user = (double)win.user[0] / ops;
	c.sub_kernel = (double)win.kernel[0] / ops;
	for (i = 1; i < win.cpus; i++)
		c.other += (double)(win.user[i] + win.kernel[i]) / ops;
	c.syscalls = (double)win.syscalls / ops;
	c.wakeups = (double)win_switches / ops;
	c.total = c.sub_user + c.sub_kernel + c.other;
	return c;
}

static void print_cost(const char *name, const struct cost *c)
{
	printf("%-34s %9.0f %9.0f %9.0f %9.0f %8.2f %8.3f\n", name, c->total,
	       c->sub_user, c->sub_kernel, c->other, c->syscalls, c->wakeups);
}

/* A JSON record: @fields (what was measured), then the cost per op. */
static void record_cost(const char *section, const char *fields,
			const struct cost *c)
{
	record(section, "%s, \"insns_per_op\": %.1f, "
	       "\"submitter_user\": %.1f, \"submitter_kernel\": %.1f, "
	       "\"other_cpus\": %.1f, \"syscalls_per_op\": %.4f, "
	       "\"wakeups_per_op\": %.4f", fields, c->total, c->sub_user,
	       c->sub_kernel, c->other, c->syscalls, c->wakeups);
}

static const char cost_head[] =
	"  insns/op    CPU 0:  user    kernel  others   sysc/op  wake/op\n";

/* ---- ring paths ---------------------------------------------------------- */

#define P_SQPOLL	P_END	/* the engine NOP on an SQPOLL ring */
static const unsigned int cbatches[] = { 1, 8, 32, 128 };
#define NCB	4
static struct cost ring_cost[P_END + 1][NCB];

static void sqpoll_init(struct io_uring *ring)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF,
		.sq_thread_cpu = last_cpu,
		.sq_thread_idle = 2000,	/* ms: it never sleeps mid-case */
	};
	int fds[2] = { dfd, nullfd };
	int ret;

	ret = io_uring_queue_init_params(256, ring, &p);
	if (ret)
		die("SQPOLL ring", ret);
	ret = io_uring_register_files(ring, fds, 2);
	if (ret)
		die("io_uring_register_files", ret);
}

/*
 * The steady state an SQPOLL ring is for: SQEs written to the ring (the
 * SQ thread picks them up; no system call while it is awake) and
 * completions found by polling the CQ ring.
 */
static int sqpoll_batch(struct io_uring *ring, unsigned int batch)
{
	struct io_uring_cqe *cqe;
	unsigned int i, head, seen = 0;
	int bad = 0;

	for (i = 0; i < batch; i++)
		prep_path(io_uring_get_sqe(ring), P_WD_ENGINE);
	io_uring_submit(ring);
	while (seen < batch) {
		unsigned int got = 0;

		while (!io_uring_cq_ready(ring))
			__builtin_ia32_pause();
		io_uring_for_each_cqe(ring, head, cqe) {
			bad += cqe->res != 0;
			got++;
		}
		io_uring_cq_advance(ring, got);
		seen += got;
	}
	return bad;
}

static struct cost ring_case(int p, unsigned int batch, unsigned long ops)
{
	struct io_uring ring;
	unsigned long done;
	unsigned int i;
	int bad = 0, w;

	quiesce();
	if (p == P_SQPOLL) {
		engine_polling(1);
		sqpoll_init(&ring);
	} else {
		ring_init(&ring, 256, path_ring_flags(p));
	}
	/* warm: the first ops allocate what later ones reuse */
	for (w = 0; w <= 1; w++) {
		unsigned long n = w ? ops : 256;

		if (w)
			count_window(1);
		for (done = 0; done < n; done += batch) {
			if (p == P_SQPOLL) {
				bad += sqpoll_batch(&ring, batch);
				continue;
			}
			for (i = 0; i < batch; i++)
				prep_path(io_uring_get_sqe(&ring), p);
			bad += submit_reap(&ring, batch, 0);
		}
		if (w)
			count_window(0);
	}
	io_uring_queue_exit(&ring);
	engine_polling(0);
	if (bad)
		die(p == P_SQPOLL ? "SQPOLL" : path_names[p], EIO);
	return per_op(done);
}

static void count_ring(void)
{
	static const char *const sq_name = "  ... SQPOLL ring, CQ polled";
	unsigned int b;
	int p;

	printf("\nD1. Ring paths: per op, by SQEs per submission (%d ops per case)\n",
	       RING_OPS);
	printf("%-28s %5s%s", "path", "batch", cost_head);
	for (p = 0; p <= P_SQPOLL; p++)
		for (b = 0; b < NCB; b++) {
			char name[64], fields[96];

			ring_cost[p][b] = ring_case(p, cbatches[b], RING_OPS);
			snprintf(name, sizeof(name), "%-28s %5u",
				 p == P_SQPOLL ? sq_name : path_names[p],
				 cbatches[b]);
			if (p == P_SQPOLL || p == P_WD_IOPOLL)
				/* spinners: their counts are the emulator's turns */
				printf("%-34s %9s %9s %9s %9s %8.2f %8.3f\n",
				       name, "(spins)", "", "", "",
				       ring_cost[p][b].syscalls,
				       ring_cost[p][b].wakeups);
			else
				print_cost(name, &ring_cost[p][b]);
			snprintf(fields, sizeof(fields),
				 "\"path\": \"%s\", \"n\": %u",
				 p == P_SQPOLL ? "wd_nop_engine_sqpoll" :
				 path_keys[p], cbatches[b]);
			record_cost("count_ring", fields, &ring_cost[p][b]);
			fflush(stdout);
		}
}

/* ---- 64-byte COPY -------------------------------------------------------- */

static struct cost copy64_cost[CP_END];

static int copy64_round(struct io_uring *ring, int path, struct wd_desc *desc,
			uint8_t (*s)[64], uint8_t (*d)[64])
{
	struct io_uring_sqe *sqe;
	int i, bad = 0;

	switch (path) {
	case CP_IOCTL:
		for (i = 0; i < DESCS; i++) {
			wd_desc_copy(&desc[i], d[i], s[i], 64);
			bad += io_uring_accel_submit_sync(dfd, &desc[i]) != 64;
		}
		break;
	case CP_BATCH:
	case CP_NOP_BATCH:
		for (i = 0; i < DESCS; i++) {
			if (path == CP_BATCH)
				wd_desc_copy(&desc[i], d[i], s[i], 64);
			else
				wd_desc_prep(&desc[i], WD_OP_NOP, 0, 0, 0, 0, 0);
		}
		sqe = io_uring_get_sqe(ring);
		io_uring_prep_accel_batch(sqe, 0, desc, DESCS);
		sqe->flags |= IOSQE_FIXED_FILE;
		bad += submit_reap(ring, 1, DESCS);
		break;
	default:
		/* two submissions of 32 SQEs */
		for (i = 0; i < DESCS; i++) {
			sqe = io_uring_get_sqe(ring);
			io_uring_prep_accel_copy(sqe, 0, d[i], s[i], 64);
			sqe->flags |= IOSQE_FIXED_FILE;
			if (i % 32 == 31)
				bad += submit_reap(ring, 32, 64);
		}
		break;
	}
	return bad;
}

static void count_copy64(void)
{
	static uint8_t s[DESCS][64], d[DESCS][64];
	static struct wd_desc desc[DESCS];
	struct io_uring ring;
	char fields[64];
	int p, r, bad = 0;

	printf("\nD2. 64-byte COPY on %s: per op (%d ops per case)\n", dev,
	       RING_OPS);
	printf("%-34s%s", "path", cost_head);
	ring_init(&ring, 64, 0);
	for (r = 0; r < (int)sizeof(s); r++)
		s[r / 64][r % 64] = r * 7 + 1;
	for (p = 0; p < CP_END; p++) {
		quiesce();
		memset(d, 0, sizeof(d));
		for (r = 0; r < 4; r++)
			bad += copy64_round(&ring, p, desc, s, d);
		count_window(1);
		for (r = 0; r < RING_OPS / DESCS; r++)
			bad += copy64_round(&ring, p, desc, s, d);
		count_window(0);
		/* the copies arrived (NOP descriptors copy nothing) */
		if (p != CP_NOP_BATCH && memcmp(d, s, sizeof(d)))
			die("64-byte COPY: wrong data", EIO);
		copy64_cost[p] = per_op(RING_OPS);
		print_cost(copy64_names[p], &copy64_cost[p]);
		snprintf(fields, sizeof(fields), "\"path\": \"%s\", \"n\": 64",
			 copy64_keys[p]);
		record_cost("count_copy64", fields, &copy64_cost[p]);
	}
	io_uring_queue_exit(&ring);
	if (bad)
		die("64-byte COPY", EIO);
}

/* ---- peers --------------------------------------------------------------- */

static const unsigned int count_sizes[] = { 4096, 65536 };
static struct cost peer_cost[OP_END][2][PEER_END];
static int peer_counted[OP_END][2][PEER_END];

static void count_peers(void)
{
	int afalg = peer_afalg_available();
	long long was = wd_sysfs_num(dev, "engines");
	unsigned int s;
	int o, k;

	printf("\nD3. Peers at queue depth %d, one worker thread or engine: per op\n",
	       PEER_QD);
	printf("%-20s %8s %-12s%s", "op", "size", "peer", cost_head);
	if (was >= 0 && sysfs_set(dev, "engines", 1))
		die("engines", errno);
	for (o = 0; o < OP_END; o++)
		for (s = 0; s < 2; s++) {
			/*
			 * Every slot the same text: what an op costs must not
			 * depend on which slots happened to complete first
			 * (zlib's work depends on the text).
			 */
			fill_text(src, count_sizes[s]);
			for (k = 1; k < PEER_QD; k++)
				memcpy(src + (size_t)k * count_sizes[s], src,
				       count_sizes[s]);
			for (k = 0; k < PEER_END; k++) {
				unsigned long ops = s ? 64 : 512;
				struct peer_result r;
				char name[64], fields[96];

				if (k == PEER_AFALG && (o != OP_CRC || !afalg))
					continue;
				quiesce();
				r = peer_run(k, o, count_sizes[s], PEER_QD, 1,
					     ops, count_window);
				peer_cost[o][s][k] = per_op(r.ops);
				peer_counted[o][s][k] = 1;
				snprintf(name, sizeof(name), "%-20s %8u %-12s",
					 op_names[o], count_sizes[s],
					 peer_names[k]);
				print_cost(name, &peer_cost[o][s][k]);
				snprintf(fields, sizeof(fields),
					 "\"op\": \"%s\", \"size\": %u, \"peer\": \"%s\"",
					 op_keys[o], count_sizes[s], peer_keys[k]);
				record_cost("count_peers", fields,
					    &peer_cost[o][s][k]);
				fflush(stdout);
			}
		}
	if (was >= 0)
		sysfs_set(dev, "engines", was);
}

/* ---- targets ------------------------------------------------------------- */

static void count_target(const char *what, double measured, double goal,
			 int at_most)
{
	int ok = at_most ? measured <= goal : measured >= goal;

	printf("%-66s %8.3f %s %5.2f  %s\n", what, measured,
	       at_most ? "<=" : ">=", goal, ok ? "holds" : "MISSED");
	record("count_targets", "\"target\": \"%s\", \"measured\": %.4f, "
	       "\"goal\": %.4f, \"holds\": %s", what, measured, goal,
	       ok ? "true" : "false");
}

static void count_targets(void)
{
	double engine = ring_cost[P_WD_ENGINE][2].total;
	double worst = 0;
	unsigned int s;
	int o;

	if (ring_cost[P_WD_DEFER][2].total < engine)
		engine = ring_cost[P_WD_DEFER][2].total;
	printf("\nTargets, deterministic mode (instructions per op, all CPUs)\n");
	count_target("[det] WarpDrive NOP at issue / bare URING_CMD, batch 32",
		     ring_cost[P_WD_INLINE][2].total / ring_cost[P_NULL][2].total,
		     1.1, 1);
	count_target("[det] engine NOP (best ring) / IORING_OP_NOP, batch 32",
		     engine / ring_cost[P_NOP][2].total, 3, 1);
	count_target("[det] 64 B COPY: one ioctl per op / descriptor batches",
		     copy64_cost[CP_IOCTL].total / copy64_cost[CP_BATCH].total,
		     5, 0);
	count_target("[det] 64 B COPY: one ioctl per op / inline SQEs",
		     copy64_cost[CP_IOCTL].total / copy64_cost[CP_SQE].total,
		     2, 0);
	count_target("[det] SQPOLL ring, engine NOP, batch 32: system calls per op",
		     ring_cost[P_SQPOLL][2].syscalls, 0, 1);
	for (o = 0; o < OP_END; o++)
		for (s = 0; s < 2; s++) {
			const struct cost *w = &peer_cost[o][s][PEER_SOFT0];
			const struct cost *p = &peer_cost[o][s][PEER_POOL];
			double r = (w->sub_user + w->sub_kernel) /
				   (p->sub_user + p->sub_kernel);

			if (peer_counted[o][s][PEER_POOL] && r > worst)
				worst = r;
		}
	count_target("[det] submitting CPU per op, soft0 / worker pool, 4-64 KiB, worst",
		     worst, 1, 1);
}

/*
 * The plugin's port open, this thread on CPU 0, the engines not polling
 * (see the top of this file).
 */
static void count_setup(const char *tty)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	cfd = wd_count_open(tty);
	if (cfd < 0)
		die(tty, cfd);
	last_cpu = cpus > 1 ? cpus - 1 : 0;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity", errno);
	poll_us = wd_sysfs_num(dev, "poll_us");
	engine_polling(0);
	/*
	 * Background memory work at moments of its own: proactive
	 * compaction (kcompactd, every 500 ms) and khugepaged move pages.
	 * That is work of its own in a window, and a page moved under an
	 * engine sends its request back to the submitter to fault it in.
	 */
	tune("/proc/sys/vm/compaction_proactiveness", "0");
	tune("/sys/kernel/mm/transparent_hugepage/enabled", "never");
	tune("/sys/kernel/mm/transparent_hugepage/defrag", "never");
}

int bench_count(const char *tty)
{
	count_setup(tty);
	printf("Deterministic mode: guest instructions counted by the lab's plugin under\n"
	       "-icount. This thread runs on CPU 0; engines, pool workers and the SQPOLL\n"
	       "thread on CPU %d (\"others\"). One instruction is one unit. Engines do\n"
	       "not busy-poll (poll_us 0) but on the SQPOLL row.\n",
	       last_cpu);
	count_ring();
	count_copy64();
	count_peers();
	count_targets();
	engine_polling(1);
	close(cfd);
	return 0;
}

/* ---- the plugin's self-check (make check, on the stock tier) ---------------- */

static int check_failed, check_n;

static void check(int ok, const char *what, double got)
{
	printf("%s %d - count: %s (%.0f)\n", ok ? "ok" : "not ok", ++check_n,
	       what, got);
	check_failed |= !ok;
}

/* @n iterations of two instructions each, in user space */
static void spin_loop(unsigned long n)
{
	asm volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
}

static void *spin_elsewhere(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(last_cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	/* on the last CPU once this returns: the loop runs there */
	spin_loop((unsigned long)arg);
	return NULL;
}

/*
 * The same ring case thrice: the spread of its instructions per op. Long
 * enough (16384 ops) that a timer tick more or less in a window is lost
 * in it: where the ticks fall moves with how long the host took to pass
 * the previous answer through the serial port, while the guest idled.
 */
static double spread(int p)
{
	double lo = 0, hi = 0;
	int i;

	for (i = 0; i < 3; i++) {
		double v = ring_case(p, 32, 4 * RING_OPS).total;

		lo = i && lo < v ? lo : v;
		hi = hi > v ? hi : v;
	}
	return (hi - lo) / lo;
}

int bench_count_check(const char *tty)
{
	const unsigned long loops = 1000000;
	double other = 0, v;
	pthread_t th;
	unsigned int i;

	count_setup(tty);

	/* a loop of known length: exactly its instructions, in user space */
	count_window(1);
	spin_loop(loops);
	count_window(0);
	v = win.user[0];
	check(v >= 2 * loops && v <= 2 * loops + 1000,
	      "a 2,000,000-instruction loop counts as that, in user space on CPU 0",
	      v);

	/* system calls: each one counted, and their kernel side */
	count_window(1);
	for (i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	count_window(0);
	check(win.syscalls == 1000, "1000 getppid() calls are 1000 system calls",
	      win.syscalls);
	v = win.kernel[0] / 1000.0;
	check(v > 50 && v < 20000,
	      "a getppid() costs some kernel instructions on CPU 0", v);

	/* a thread on the other CPU: its instructions land there */
	if (last_cpu) {
		count_window(1);
		if (pthread_create(&th, NULL, spin_elsewhere, (void *)loops) ||
		    pthread_join(th, NULL))
			die("thread", EAGAIN);
		count_window(0);
		for (i = 1; i < win.cpus; i++)
			other += win.user[i];
		check(other >= 2 * loops && win.user[0] < loops / 10,
		      "a loop on the last CPU is counted there, not on CPU 0",
		      other);
	}

	/* the same case again and again: the same count */
	v = spread(P_NOP);
	check(v < 0.01, "IORING_OP_NOP, batch 32, thrice: spread under 1% (in 1/10000)",
	      v * 1e4);
	v = spread(P_WD_DEFER);
	check(v < 0.02, "engine NOP, DEFER_TASKRUN, batch 32, thrice: spread under 2% (in 1/10000)",
	      v * 1e4);
	printf("1..%d\n", check_n);
	engine_polling(1);
	close(cfd);
	return check_failed;
}
