// SPDX-License-Identifier: GPL-2.0
/*
 * A page that never comes stalls only the request that named it.
 *
 * soft0's engine is shared by every process that uses the device. Each
 * case here gives it an operand in a userfaultfd range that nobody serves
 * (a fault there waits until the range is served, the userfaultfd is
 * closed, or the faulting task is killed) and checks that:
 *  - another process's COPYs on the same device, on the same engine, keep
 *    completing, correct (counted, not timed);
 *  - the stalled submitter can be killed, and the device goes idle;
 *  - closing the userfaultfd lets the stalled request finish;
 *  - a small request, which the issue path would run inline, does not
 *    wedge its ring (the submission returns, other CQEs arrive);
 *  - a WD_IOC_SUBMIT caller stalled the same way stays killable.
 *
 * The waits below only bound a hang (a generous minute each); no case
 * depends on how fast anything runs.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include "wd_tenant.h"

#define STALL_LEN	(64U << 10)	/* past inline_max: the engine's */
#define SMALL_LEN	256		/* within inline_max */
#define TENANT_OPS	100
#define TENANT_LEN	4096
#define HANG_MS		60000		/* only a hang takes this long */

static const char *dev;

/* What a stalled child tells the parent, in shared memory. */
struct report {
	volatile int stage;	/* 1: submitting, 3: the COPY completed */
	volatile int nop_seen;	/* the NOP submitted with it completed */
	volatile int res;	/* the stalled request's result */
	volatile int other_res;	/* another CQE's result */
	volatile int close_now;	/* the parent says: close the uffd */
	volatile int fail;	/* the child's setup failed at this line */
};

static struct report *rep;

/* Wait (bounded only against a hang) for the child to reach @stage. */
static int wait_stage(int stage)
{
	double end = wd_now_ms() + HANG_MS;

	while (rep->stage < stage && !rep->fail && wd_now_ms() < end)
		usleep(2000);
	if (rep->fail)
		wd_diag("the child's setup failed (uffd.c line %d)", rep->fail);
	return rep->stage >= stage;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

enum { VIA_RING, VIA_IOCTL };

/*
 * The stalled submitter (a child): a COPY of @len bytes from an unserved
 * userfaultfd range, through a ring or the ioctl. Stage 1: about to
 * submit (the submitting task may stall in the fault from here on, when
 * it goes back to user space); stage 3: the COPY completed (rep->res).
 * A ring also gets an inline NOP in the same submission, which a second
 * thread watches for in the CQ ring without entering the kernel
 * (rep->nop_seen). With @close_after, a third thread closes the
 * userfaultfd when the parent says so.
 */
struct stall_args {
	int		uffd;
	struct io_uring	*ring;
};

static void *closer(void *arg)
{
	struct stall_args *a = arg;

	while (!rep->close_now)
		usleep(2000);
	close(a->uffd);
	return NULL;
}

static void *nop_watcher(void *arg)
{
	struct stall_args *a = arg;
	struct io_uring_cqe *cqe;

	for (;;) {
		if (!io_uring_peek_cqe(a->ring, &cqe) && cqe->user_data == 2) {
			rep->other_res = cqe->res;
			rep->nop_seen = 1;
			return NULL;
		}
		usleep(2000);
	}
}

static void __attribute__((noreturn)) child_fail(int line)
{
	rep->fail = line;
	_exit(2);
}

static void __attribute__((noreturn)) stall_child(int how, size_t len,
						  bool close_after)
{
	struct stall_args sa;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct wd_desc d;
	void *area, *out = map(len);
	pthread_t t;
	unsigned int head;
	int fd;

	fd = io_uring_accel_open(dev, O_RDWR);
	/* userfaultfd registers whole pages */
	sa.uffd = wd_uffd_range((len + 4095) & ~4095UL, &area);
	if (fd < 0 || sa.uffd < 0 || !out)
		child_fail(__LINE__);
	if (close_after && pthread_create(&t, NULL, closer, &sa))
		child_fail(__LINE__);

	if (how == VIA_IOCTL) {
		wd_desc_copy(&d, out, area, len);
		rep->stage = 1;
		rep->res = io_uring_accel_submit_sync(fd, &d);
		rep->stage = 3;
		_exit(0);
	}
	if (io_uring_queue_init(8, &ring, 0))
		child_fail(__LINE__);
	sa.ring = &ring;
	if (pthread_create(&t, NULL, nop_watcher, &sa))
		child_fail(__LINE__);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_copy(sqe, fd, out, area, len);
	sqe->user_data = 1;
	wd_nop_sqe(&ring, fd, WD_NOP_F_INLINE, 0, 0)->user_data = 2;
	rep->stage = 1;
	if (io_uring_submit(&ring) != 2)
		child_fail(__LINE__);
	/* both CQEs, left in the ring for the watcher to see */
	if (io_uring_wait_cqe_nr(&ring, &cqe, 2))
		child_fail(__LINE__);
	io_uring_for_each_cqe(&ring, head, cqe) {
		if (cqe->user_data == 1)
			rep->res = cqe->res;
	}
	rep->stage = 3;
	_exit(0);
}

static pid_t start_stall(int how, size_t len, bool close_after)
{
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	pid = fork();
	if (!pid)
		stall_child(how, len, close_after);
	return pid;
}

/*
 * After stage 1: wait until the child's request has reached the device
 * and, where /proc tells, until the child waits in the fault itself.
 */
static void wait_stalled(pid_t pid)
{
	double end = wd_now_ms() + HANG_MS;
	char path[64], wchan[64];

	while (wd_sysfs_read(dev, "submitted") -
	       wd_sysfs_read(dev, "completed") < 1 && wd_now_ms() < end)
		usleep(2000);
	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	while (wd_now_ms() < end && !wd_read_str(path, wchan, sizeof(wchan)) &&
	       strcmp(wchan, "0") && strcmp(wchan, "handle_userfault"))
		usleep(2000);
}

/* Kill @pid, reap it, and wait for the device to be idle: true if so. */
static bool kill_and_settle(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return wd_wait_idle(dev, HANG_MS) == 0;
}

static int wait_nop(void)
{
	double end = wd_now_ms() + HANG_MS;

	while (!rep->nop_seen && !rep->fail && wd_now_ms() < end)
		usleep(2000);
	return rep->nop_seen;
}

/* Is the child's stalled request still stalled? (no CQE, still alive) */
static bool still_stalled(pid_t pid)
{
	return rep->stage < 3 && waitpid(pid, NULL, WNOHANG) == 0;
}

static void case_engine(int fd, int how, const char *what)
{
	pid_t pid = start_stall(how, STALL_LEN, false);
	bool stalled, settled;
	int good;

	if (!wait_stage(1)) {
		wd_ok(0, "%s: the stalled child submitted", what);
		kill_and_settle(pid);
		return;
	}
	wait_stalled(pid);
	good = wd_tenant_copies(fd, TENANT_OPS, TENANT_LEN, HANG_MS, NULL);
	stalled = still_stalled(pid);
	settled = kill_and_settle(pid);
	if (good != TENANT_OPS || !stalled || !settled)
		wd_diag("%d of %d COPYs completed; stalled request %s; device %s",
			good, TENANT_OPS, stalled ? "still waiting" : "ended",
			settled ? "idle after the kill" : "not idle");
	wd_ok(good == TENANT_OPS && stalled && settled,
	      "%s: another process's %d COPYs complete while a request waits for an unserved page; killing its submitter ends it",
	      what, TENANT_OPS);
}

static void case_close(void)
{
	pid_t pid = start_stall(VIA_RING, STALL_LEN, true);
	bool done;

	if (!wait_stage(1)) {
		wd_ok(0, "uffd closed: the stalled child submitted");
		kill_and_settle(pid);
		return;
	}
	wait_stalled(pid);
	rep->close_now = 1;	/* the child's other thread closes the uffd */
	done = wait_stage(3);
	if (!done || rep->res != (int)STALL_LEN)
		wd_diag("stage %d, res %d", rep->stage, rep->res);
	wd_ok(done && rep->res == (int)STALL_LEN,
	      "uffd closed: the stalled COPY goes on and completes (res %d)",
	      rep->res);
	kill_and_settle(pid);
}

static void case_inline(int fd)
{
	pid_t pid = start_stall(VIA_RING, SMALL_LEN, false);
	bool nop, stalled, settled;
	int good = 0;

	/*
	 * Before, the issue path took the fault inside io_uring_submit(),
	 * holding the ring's lock, and the NOP behind it never ran.
	 */
	nop = wait_stage(1) && wait_nop() && rep->other_res == 0;
	if (nop)
		good = wd_tenant_copies(fd, TENANT_OPS, TENANT_LEN, HANG_MS, NULL);
	stalled = still_stalled(pid);
	settled = kill_and_settle(pid);
	if (!nop || good != TENANT_OPS || !stalled || !settled)
		wd_diag("stage %d, NOP %s (res %d), %d COPYs, %s, %s",
			rep->stage, rep->nop_seen ? "seen" : "not seen",
			rep->other_res, good, stalled ? "stalled" : "ended",
			settled ? "idle" : "not idle");
	wd_ok(nop && good == TENANT_OPS && stalled && settled,
	      "inline-sized COPY from an unserved page: the submission returns, the NOP beside it completes, others' COPYs run");
}

int main(void)
{
	int fd, uffd;
	void *probe;
	long long engines;

	dev = wd_test_device();
	if (strcmp(dev, "soft0"))
		wd_skip_all("the engine cases are soft0's");
	fd = wd_open_or_skip();
	uffd = wd_uffd_range(4096, &probe);
	if (uffd < 0)
		wd_skip_all("no userfaultfd (CONFIG_USERFAULTFD, or not root)");
	close(uffd);
	munmap(probe, 4096);
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED)
		wd_skip_all("no shared memory");

	/* one engine: every request of every process goes through it */
	engines = wd_sysfs_read(dev, "engines");
	if (engines < 0 || wd_sysfs_write(dev, "engines", 1))
		wd_skip_all("cannot set soft0's engines");

	wd_plan(4);
	case_engine(fd, VIA_RING, "ring");
	case_engine(fd, VIA_IOCTL, "ioctl");
	case_close();
	case_inline(fd);

	wd_sysfs_write(dev, "engines", engines);
	close(fd);
	return wd_exit();
}
