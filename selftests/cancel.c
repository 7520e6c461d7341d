// SPDX-License-Identifier: GPL-2.0
/*
 * Cancellation of long requests. io_uring cancels a URING_CMD it was told
 * is cancelable when the ring is torn down or its task exits or is killed;
 * the ioctl path cancels when its caller is killed. Each case here puts
 * long COPYs (many engine slices, or many edu0 transfers) in flight, makes
 * their owner go away, and checks the device's "canceled" count: every one
 * of them must end with -ECANCELED instead of running to its end, and the
 * device must be idle and correct afterwards.
 *
 * IORING_OP_ASYNC_CANCEL does not look at URING_CMDs in 6.12: the last
 * case pins down what it does instead (nothing, and the request finishes).
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "wd_uring.h"

#define NR_LONG		4
#define LONG_LEN	(16U << 20)	/* 16 slices of the soft engine */
#define NR_DESCS	8
#define DESC_LEN	(8U << 20)
#define IOCTL_LEN	(32U << 20)
#define EDU_LEN		(64U << 10)	/* 16 transfers of ~100 ms on edu0 */

static const char *dev;
static unsigned char *src, *dst;	/* NR_LONG * LONG_LEN each */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		wd_skip_all("no memory for the buffers");
	return p;
}

/* Wait until @name is idle; returns how many of its requests were canceled
 * since @before, or -1 if it did not go idle.
 */
static long long canceled_since(const char *name, long long before,
				double *idle_ms)
{
	double t0 = now_ms();

	if (wd_wait_idle(name, 20000))
		return -1;
	if (idle_ms)
		*idle_ms = now_ms() - t0;
	return wd_sysfs_read(name, "canceled") - before;
}

/* @sqe_flags: IOSQE_ASYNC has io_uring issue them from its workers */
static int submit_long_copies_flags(struct io_uring *ring, int fd,
				    unsigned int sqe_flags)
{
	int i;

	for (i = 0; i < NR_LONG; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		io_uring_prep_accel_copy(sqe, fd, dst + (size_t)i * LONG_LEN,
					 src + (size_t)i * LONG_LEN, LONG_LEN);
		sqe->user_data = i;
		sqe->flags |= sqe_flags;
	}
	return io_uring_submit(ring);
}

static int submit_long_copies(struct io_uring *ring, int fd)
{
	return submit_long_copies_flags(ring, fd, 0);
}

static void test_ring_closed(unsigned int sqe_flags, const char *what)
{
	long long before = wd_sysfs_read(dev, "canceled"), n;
	long long sub0 = wd_sysfs_read(dev, "submitted");
	struct io_uring ring;
	double ms = 0;
	int fd, sub, waited = 0;

	fd = wd_open_or_skip();
	io_uring_queue_init(8, &ring, 0);
	sub = submit_long_copies_flags(&ring, fd, sqe_flags);
	/* an io-wq worker hands them over a moment later */
	while (wd_sysfs_read(dev, "submitted") - sub0 < NR_LONG &&
	       waited++ < 2000)
		usleep(1000);
	io_uring_queue_exit(&ring);
	close(fd);
	n = canceled_since(dev, before, &ms);
	wd_ok(sub == NR_LONG && n == NR_LONG,
	      "%s: %lld of %d long COPYs canceled (idle %.0f ms later)",
	      what, n, sub, ms);
}

/*
 * In a child: open the device, set up @ring and queue a 4 KiB COPY ahead
 * of what the test submits. Returns the fd; _exit()s on failure.
 */
/*
 * Make every page of @p (@len bytes) this process's own and present, so
 * that the engine never has to send the long COPYs back to their
 * submitter to fault in (after fork, COW): each case times its cancel
 * against the engine's work, not against the faults.
 */
static void touch(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 4096)
		((volatile unsigned char *)p)[i] = 0;
}

static int child_open(struct io_uring *ring)
{
	int fd = io_uring_accel_open(dev, O_RDWR);

	touch(dst, (size_t)NR_LONG * LONG_LEN);

	if (fd < 0 || io_uring_queue_init(8, ring, 0))
		_exit(2);
	io_uring_prep_accel_copy(io_uring_get_sqe(ring), fd,
				 dst + LONG_LEN - 4096, src, 4096);
	io_uring_sqe_set_data64(ring->sq.sqes + ((ring->sq.sqe_tail - 1) &
						 *ring->sq.kring_mask), 4096);
	return fd;
}

/*
 * In a child: the 4 KiB COPY's CQE, which says the engine is at work in
 * this address space (it runs a queue in order).
 */
static void child_wait_engine(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;

	if (io_uring_wait_cqe(ring, &cqe))
		_exit(3);
	if (cqe->res != 4096) {
		wd_diag("child: the first CQE (user_data %llu) has res %d",
			(unsigned long long)cqe->user_data, cqe->res);
		_exit(3);
	}
	io_uring_cqe_seen(ring, cqe);
}

/*
 * The child submits a small COPY and then the long ones, and once the
 * small one's CQE is in (so the engine is at work in the child's address
 * space) it exits, or tells the parent, which kills it.
 */
static void test_owner_gone(const char *what, int kill_it)
{
	long long before = wd_sysfs_read(dev, "canceled"), n;
	int status = 0, sync[2];
	double t0, ms, idle = 0;
	char c = 0;
	pid_t pid;

	if (pipe(sync))
		wd_skip_all("no pipe");
	pid = fork();
	if (pid == 0) {
		struct io_uring_cqe *cqe;
		struct io_uring ring;
		int fd = child_open(&ring);

		if (submit_long_copies(&ring, fd) != NR_LONG + 1)
			_exit(3);
		child_wait_engine(&ring);
		if (kill_it) {
			if (write(sync[1], &c, 1) != 1)
				_exit(4);
			io_uring_wait_cqe_nr(&ring, &cqe, NR_LONG);
		}
		_exit(0);
	}
	t0 = now_ms();
	if (kill_it && read(sync[0], &c, 1) == 1)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(sync[0]);
	close(sync[1]);
	ms = now_ms() - t0;
	n = canceled_since(dev, before, &idle);
	wd_ok((kill_it ? WIFSIGNALED(status) :
		WIFEXITED(status) && !WEXITSTATUS(status)) && n == NR_LONG,
	      "%s: %lld of %d long COPYs canceled (exit %.0f ms, idle %.0f ms later)",
	      what, n, NR_LONG, ms, idle);
}

/* NR_DESCS long COPYs, each record preset to a value the kernel never writes. */
static void prep_descs(struct wd_desc *d)
{
	int i;

	for (i = 0; i < NR_DESCS; i++) {
		wd_desc_copy(&d[i], dst + (size_t)i * DESC_LEN,
			     src + (size_t)i * DESC_LEN, DESC_LEN);
		d[i].status = 1;
	}
}

/*
 * Sort the records into descriptors that ran whole and ones canceled
 * part-way or before they started; returns how many are neither.
 */
static int tally_records(const struct wd_desc *d, int *ran, int *canceled,
			 int *untouched)
{
	int i, odd = 0;

	for (i = 0; i < NR_DESCS; i++) {
		if (d[i].status == 0 && d[i].done == DESC_LEN)
			(*ran)++;
		else if (d[i].status == -ECANCELED && d[i].done < DESC_LEN)
			(*canceled)++;
		else if (untouched && d[i].status == 1 && !d[i].done &&
			 !(*ran + *canceled))
			(*untouched)++;
		else
			odd++;
	}
	return odd;
}

/* The descriptors not yet run when the batch is canceled say so. */
static void test_batch(void)
{
	long long before = wd_sysfs_read(dev, "canceled"), n;
	struct wd_desc *d = map(NR_DESCS * sizeof(*d));
	int fd, ran = 0, canceled = 0, odd;
	struct io_uring ring;

	prep_descs(d);
	fd = wd_open_or_skip();
	io_uring_queue_init(2, &ring, 0);
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd, d, NR_DESCS);
	io_uring_submit(&ring);
	io_uring_queue_exit(&ring);
	close(fd);
	n = canceled_since(dev, before, NULL);

	odd = tally_records(d, &ran, &canceled, NULL);
	wd_ok(n == 1 && canceled > 0 && !odd &&
	      d[NR_DESCS - 1].status == -ECANCELED,
	      "batch canceled: %d descriptors ran, %d got -ECANCELED, %d odd records",
	      ran, canceled, odd);
	munmap(d, NR_DESCS * sizeof(*d));
}

/*
 * A batch whose process exits: the engine stops at the next slice of the
 * descriptor it is running. The descriptors live in shared memory, so the
 * records the engine writes into the dead child's mapping can be read here.
 * The child may be gone before the engine reaches the batch at all (on a
 * slow machine it often is), and the engine takes no faults for a process
 * that has gone: the batch's records are then left as they were. Either
 * way, it must not run to its end.
 */
static void test_batch_owner_exit(void)
{
	size_t size = NR_DESCS * sizeof(struct wd_desc);
	struct wd_desc *d = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0, ran = 0, canceled = 0, untouched = 0, odd;
	bool idle;
	pid_t pid;

	if (d == MAP_FAILED)
		wd_skip_all("no shared memory");
	prep_descs(d);
	pid = fork();
	if (pid == 0) {
		struct io_uring ring;
		int fd = child_open(&ring);

		io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd, d,
					  NR_DESCS);
		if (io_uring_submit(&ring) != 2)
			_exit(3);
		child_wait_engine(&ring);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	idle = wd_wait_idle(dev, 20000) == 0;
	odd = tally_records(d, &ran, &canceled, &untouched);
	if (ran == NR_DESCS && !odd) {
		wd_skip("the child outlived its batch: nothing was left to cancel",
			"batch of an exited process");
		munmap(d, size);
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !idle)
		wd_diag("child status 0x%x; device %s", status,
			idle ? "idle" : "not idle");
	wd_ok(WIFEXITED(status) && !WEXITSTATUS(status) && idle && !odd,
	      "batch of an exited process: %d descriptors ran, %d got -ECANCELED, %d never reached, %d odd records",
	      ran, canceled, untouched, odd);
	munmap(d, size);
}

/*
 * A process killed inside WD_IOC_SUBMIT, its request queued behind others
 * the engine takes a second each (delay_us): it returns at once, leaving
 * the request to the engine, which ends it (-ECANCELED) when it gets to
 * it. Before, it waited for the whole queue, in D state.
 */
static void test_ioctl_killed_queued(void)
{
	long long before = wd_sysfs_read(dev, "canceled");
	long long delay = wd_sysfs_read(dev, "delay_us");
	long long engines = wd_sysfs_read(dev, "engines");
	long long sub0, inflight = -1, n;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int fd = wd_open_or_skip(), status = 0, waited = 0, i;
	pid_t pid;

	if (delay < 0 || engines < 0 || io_uring_queue_init(16, &ring, 0)) {
		wd_skip("no delay_us (soft0's)", "killed in WD_IOC_SUBMIT behind a queue");
		close(fd);
		return;
	}
	wd_sysfs_write(dev, "engines", 1);
	wd_sysfs_write(dev, "delay_us", 1000000);
	for (i = 0; i < 8; i++)
		wd_nop_sqe(&ring, fd, 0, 0, 0);
	io_uring_submit(&ring);
	sub0 = wd_sysfs_read(dev, "submitted");
	pid = fork();
	if (pid == 0) {
		int cfd = io_uring_accel_open(dev, O_RDWR);
		struct wd_desc d;

		if (cfd < 0)
			_exit(2);
		wd_desc_copy(&d, dst, src, 65536);
		io_uring_accel_submit_sync(cfd, &d);
		_exit(0);
	}
	while (wd_sysfs_read(dev, "submitted") == sub0 && waited++ < 20000)
		usleep(1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* reaped: what was queued in front of its request is still there */
	inflight = wd_sysfs_read(dev, "submitted") -
		   wd_sysfs_read(dev, "completed");
	wd_sysfs_write(dev, "delay_us", 0);
	for (i = 0; i < 8; i++)
		if (!io_uring_wait_cqe(&ring, &cqe))
			io_uring_cqe_seen(&ring, cqe);
	n = canceled_since(dev, before, NULL);
	wd_sysfs_write(dev, "delay_us", delay);
	wd_sysfs_write(dev, "engines", engines);
	io_uring_queue_exit(&ring);
	close(fd);
	wd_ok(WIFSIGNALED(status) && inflight >= 2 && n == 1,
	      "killed in WD_IOC_SUBMIT behind a queue: returned with %lld requests still ahead in flight; %lld canceled",
	      inflight, n);
}

/*
 * A level-9 COMPRESS of 16 MiB of random data (seconds of work) whose ring
 * is torn down: it stops between chunks of input instead of running on.
 */
static void test_compress_canceled(void)
{
	long long before = wd_sysfs_read(dev, "canceled"), n;
	struct io_uring ring;
	int fd = wd_open_or_skip();
	unsigned int i;

	if (!(wd_sysfs_read(dev, "submitted") >= 0) ||
	    io_uring_queue_init(2, &ring, 0)) {
		wd_skip("no ring", "COMPRESS canceled");
		close(fd);
		return;
	}
	for (i = 0; i < LONG_LEN; i++)
		src[i] = rand();
	io_uring_prep_accel_compress(io_uring_get_sqe(&ring), fd, dst,
				     LONG_LEN + LONG_LEN / 64 + 4096, src,
				     LONG_LEN, WD_COMP_DEFLATE, 9);
	io_uring_submit(&ring);
	io_uring_queue_exit(&ring);
	close(fd);
	n = canceled_since(dev, before, NULL);
	wd_ok(n == 1, "a 16 MiB level-9 COMPRESS whose ring is torn down is canceled (%lld)",
	      n);
}

/* A process killed inside WD_IOC_SUBMIT waits for a slice, not the copy. */
static void test_ioctl_killed(void)
{
	long long before = wd_sysfs_read(dev, "canceled"), n;
	long long sub0 = wd_sysfs_read(dev, "submitted");
	int status = 0, waited = 0;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		int fd = io_uring_accel_open(dev, O_RDWR);
		struct wd_desc d;

		if (fd < 0)
			_exit(2);
		wd_desc_copy(&d, dst, src, IOCTL_LEN);
		io_uring_accel_submit_sync(fd, &d);
		_exit(0);
	}
	while (wd_sysfs_read(dev, "submitted") == sub0 && waited++ < 2000)
		usleep(1000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	n = canceled_since(dev, before, NULL);
	wd_ok(WIFSIGNALED(status) && n == 1,
	      "killed in WD_IOC_SUBMIT: %lld canceled", n);
}

/*
 * What 6.12 does with an ASYNC_CANCEL aimed at a WarpDrive command: it
 * finds nothing to cancel, and the command runs to its end.
 */
static void test_async_cancel(void)
{
	int fd, i, copy_res = 1, cancel_res = 1;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	fd = wd_open_or_skip();
	io_uring_queue_init(4, &ring, 0);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_copy(sqe, fd, dst, src, LONG_LEN);
	sqe->user_data = 1;
	io_uring_submit(&ring);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	sqe->user_data = 2;
	io_uring_submit(&ring);
	for (i = 0; i < 2 && !io_uring_wait_cqe(&ring, &cqe); i++) {
		if (cqe->user_data == 1)
			copy_res = cqe->res;
		else
			cancel_res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	wd_ok(copy_res == (int)LONG_LEN &&
	      (cancel_res == -ENOENT || cancel_res == -EALREADY) &&
	      !memcmp(dst, src, LONG_LEN),
	      "IORING_OP_ASYNC_CANCEL: %d (the COPY still completes: %d)",
	      cancel_res, copy_res);
}

static void test_still_works(void)
{
	struct io_uring ring;
	int fd, res;

	memset(dst, 0, LONG_LEN);
	fd = wd_open_or_skip();
	io_uring_queue_init(4, &ring, 0);
	io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, dst, src,
				 LONG_LEN);
	res = wd_submit_wait1(&ring, NULL, NULL);
	io_uring_queue_exit(&ring);
	close(fd);
	wd_ok(res == (int)LONG_LEN && !memcmp(dst, src, LONG_LEN),
	      "a long COPY afterwards is complete and correct");
}

/* edu0 gives up a canceled request at its next DMA transfer. */
static void test_edu(void)
{
	long long before = wd_sysfs_read("edu0", "canceled"), n;
	struct io_uring ring;
	double ms = 0;
	int fd, res;

	fd = io_uring_accel_open("edu0", O_RDWR);
	if (fd < 0) {
		wd_skip("no edu0", "edu0: ring closed with a COPY in flight");
		return;
	}
	io_uring_queue_init(2, &ring, 0);
	io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, dst, src,
				 EDU_LEN);
	res = io_uring_submit(&ring);
	usleep(150000);		/* a transfer or two */
	io_uring_queue_exit(&ring);
	close(fd);
	n = canceled_since("edu0", before, &ms);
	wd_ok(res == 1 && n == 1,
	      "edu0: ring closed with a COPY in flight: %lld canceled (idle %.0f ms later)",
	      n, ms);
}

/*
 * A process that exits with hundreds of COPYs queued on edu0 (a transfer
 * takes the emulated device 100 ms, so running them all would take 40 s):
 * they are retired without being started, the one on the engine stops at
 * its next transfer, and the device goes idle.
 *
 * How many COPYs the device finishes before the exit reaches the driver
 * depends on how fast this machine tears the process down, so the test
 * does not bound it by a count. It checks that every request is accounted
 * for: a finished 256-byte COPY took two transfers (in and out); of those
 * counted canceled, only the one on the engine when the cancellation came
 * made any (one or both: a request marked during its last transfer
 * finishes and is still counted canceled); and a device that ran the
 * queue out instead of retiring it would show mostly finished COPYs.
 */
#define EDU_QUEUED	200

static void test_edu_exit_queued(void)
{
	long long dmas0 = wd_sysfs_read("edu0", "dmas");
	long long before = wd_sysfs_read("edu0", "canceled"), n, dmas, done;
	int status = 0;
	pid_t pid;

	if (dmas0 < 0) {
		wd_skip("no edu0", "edu0: an exited process's queued COPYs");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct io_uring ring;
		int fd = io_uring_accel_open("edu0", O_RDWR), i;

		if (fd < 0 || io_uring_queue_init(256, &ring, 0))
			_exit(2);
		for (i = 0; i < EDU_QUEUED; i++)
			io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd,
						 dst + i * 256, src + i * 256,
						 256);
		_exit(io_uring_submit(&ring) == EDU_QUEUED ? 0 : 3);
	}
	waitpid(pid, &status, 0);
	n = canceled_since("edu0", before, NULL);
	dmas = wd_sysfs_read("edu0", "dmas") - dmas0;
	done = EDU_QUEUED - n;
	wd_ok(WIFEXITED(status) && !WEXITSTATUS(status) &&
	      n > EDU_QUEUED / 2 && dmas >= 2 * done && dmas <= 2 * done + 2,
	      "edu0: a process exits with %d COPYs queued: %lld canceled, %lld finished in %lld transfers",
	      EDU_QUEUED, n, done, dmas);
}

int main(void)
{
	size_t i, len = (size_t)NR_LONG * LONG_LEN;
	int fd = wd_open_or_skip();

	close(fd);
	dev = wd_test_device();
	if (wd_sysfs_read(dev, "canceled") < 0)
		wd_skip_all("the device has no canceled count");
	src = map(len);
	dst = map(len);
	for (i = 0; i < len; i += 4096)
		src[i] = (unsigned char)(i >> 12) | 1;
	touch(dst, len);

	wd_plan(14);
	test_ring_closed(0, "ring closed");
	test_ring_closed(IOSQE_ASYNC, "ring closed, COPYs issued from io-wq");
	test_owner_gone("process exited", 0);
	test_owner_gone("process killed while waiting", 1);
	test_batch();
	test_batch_owner_exit();
	if (wd_sysfs_read(dev, "engines") >= 0) {
		long long engines = wd_sysfs_read(dev, "engines");

		/* two engines: each may hold the address space */
		wd_sysfs_write(dev, "engines", 2);
		test_batch_owner_exit();
		wd_sysfs_write(dev, "engines", engines);
	} else {
		wd_skip("one engine only", "batch of an exited process, two engines");
	}
	test_ioctl_killed();
	test_ioctl_killed_queued();
	test_compress_canceled();
	test_async_cancel();
	test_still_works();
	test_edu();
	test_edu_exit_queued();
	return wd_exit();
}
