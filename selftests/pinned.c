// SPDX-License-Identifier: GPL-2.0
/*
 * What a pinned-mode device (edu0) lets one submitter hold, and where it
 * may wait:
 *  - pages pinned for requests are charged to the submitter's
 *    RLIMIT_MEMLOCK, as io_uring's registered buffers are, and show in its
 *    VmPin while the requests live: past the limit a request fails with
 *    -ENOMEM, and the charge comes back when the requests end (canceled
 *    ones included);
 *  - an operand in a userfaultfd range nobody serves does not stop the
 *    ring: the pages are pinned in the issue path only if present,
 *    otherwise in the submitter's task work, which takes the fault as
 *    read(2) would, outside the ring's lock; other threads go on using the
 *    ring, and the COPY keeps its own operands though its SQ slot is
 *    reused at once.
 *
 * Nothing is timed: edu0 takes 200 ms of emulated time per 4 KiB, so a
 * 256 KiB COPY keeps the device busy for many seconds while the rest is
 * looked at, and what is compared is what is in flight, not how long it
 * takes. The limits below are hang bounds.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <grp.h>
#include "wd_tenant.h"

#define EDU		"edu0"
#define NOBODY		65534
#define LIMIT_PAGES	256		/* RLIMIT_MEMLOCK: 1 MiB */
#define LONG_LEN	(256U << 10)	/* 128 pages: busy for seconds */
#define MID_LEN		(128U << 10)	/* 64 pages */
#define SMALL_LEN	8192		/* 4 pages */
#define HANG_MS		120000

struct results {
	int setup;
	int over_alone;		/* res of a COPY that alone passes the limit */
	long vmpin_kb;		/* with LONG + 2 x MID in flight */
	int fifth;		/* res of the COPY past the limit */
	long vmpin_after_kb;	/* once they are all over */
	int again;		/* res of a COPY after */
	int again_ok;		/* ... and its bytes */
};

static struct results *res;

/* VmPin of this process, in kB; -1 if it cannot be read. */
static long vmpin_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int wait_one(struct io_uring *ring, int hang_ms, __u64 *ud)
{
	struct __kernel_timespec ts = { .tv_sec = hang_ms / 1000 };
	struct io_uring_cqe *cqe;
	int r;

	if (io_uring_wait_cqe_timeout(ring, &cqe, &ts))
		return -ETIME - 1000;
	r = cqe->res;
	if (ud)
		*ud = cqe->user_data;
	io_uring_cqe_seen(ring, cqe);
	return r;
}

static void prep_copy(struct io_uring *ring, int fd, void *d, const void *s,
		      unsigned int len, __u64 ud)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_accel_copy(sqe, fd, d, s, len);
	sqe->user_data = ud;
}

/* The accounting cases, as an unprivileged user with a 1 MiB limit. */
static void __attribute__((noreturn)) nobody(int fd)
{
	struct rlimit rl = { LIMIT_PAGES * 4096UL, LIMIT_PAGES * 4096UL };
	size_t area = 2 * (LONG_LEN + 2 * MID_LEN + SMALL_LEN) + (2U << 20);
	unsigned char *p, *src, *dst;
	struct io_uring ring;
	double end;
	int i;

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgroups(0, NULL) ||
	    setgid(NOBODY) || setuid(NOBODY))
		_exit(2);
	p = mmap(NULL, area, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED || io_uring_queue_init(16, &ring, 0))
		_exit(3);
	memset(p, 0x5a, area);
	res->setup = 1;

	/* 1 MiB each way: 512 pages, twice the limit */
	prep_copy(&ring, fd, p + (1U << 20), p, 1U << 20, 1);
	io_uring_submit(&ring);
	res->over_alone = wait_one(&ring, HANG_MS, NULL);

	/* 128 + 64 + 64 pages: the limit; then 4 more */
	src = p;
	dst = p + area / 2;
	prep_copy(&ring, fd, dst, src, LONG_LEN, 10);
	prep_copy(&ring, fd, dst + LONG_LEN, src + LONG_LEN, MID_LEN, 11);
	prep_copy(&ring, fd, dst + LONG_LEN + MID_LEN, src + LONG_LEN + MID_LEN,
		  MID_LEN, 12);
	prep_copy(&ring, fd, dst + LONG_LEN + 2 * MID_LEN,
		  src + LONG_LEN + 2 * MID_LEN, SMALL_LEN, 13);
	io_uring_submit(&ring);
	/* the first runs for seconds of emulated DMA: all are in flight */
	res->vmpin_kb = vmpin_kb();
	for (i = 0; i < 4; i++) {
		__u64 ud = 0;
		int r = wait_one(&ring, HANG_MS, &ud);

		/* seen the refusal: end the rest rather than wait for it */
		if (ud == 13 || r == -ETIME - 1000) {
			res->fifth = r;
			break;
		}
	}
	/* tearing the ring down cancels what is left */
	io_uring_queue_exit(&ring);
	end = wd_now_ms() + HANG_MS;
	while ((res->vmpin_after_kb = vmpin_kb()) > 0 && wd_now_ms() < end)
		usleep(20000);

	if (io_uring_queue_init(4, &ring, 0))
		_exit(4);
	memset(src, 0x77, SMALL_LEN);
	prep_copy(&ring, fd, dst, src, SMALL_LEN, 20);
	io_uring_submit(&ring);
	res->again = wait_one(&ring, HANG_MS, NULL);
	res->again_ok = !memcmp(dst, src, SMALL_LEN);
	_exit(0);
}

static void test_accounting(int fd)
{
	int status = -1;
	pid_t pid;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		wd_skip_all("no shared memory");
	memset(res, 0, sizeof(*res));
	res->fifth = 1;
	pid = fork();
	if (!pid)
		nobody(fd);
	waitpid(pid, &status, 0);

	wd_ok(res->setup && res->over_alone == -ENOMEM,
	      "a COPY pinning twice the submitter's RLIMIT_MEMLOCK fails with -ENOMEM (%d)",
	      res->over_alone);
	wd_ok(res->vmpin_kb == LIMIT_PAGES * 4,
	      "requests in flight show in VmPin: %ld kB for 256 pinned pages",
	      res->vmpin_kb);
	wd_ok(res->fifth == -ENOMEM,
	      "a COPY past the limit while those are in flight fails with -ENOMEM (%d)",
	      res->fifth);
	wd_ok(res->vmpin_after_kb == 0,
	      "the charge comes back when the requests end, canceled or not (VmPin %ld kB)",
	      res->vmpin_after_kb);
	wd_ok(WIFEXITED(status) && !WEXITSTATUS(status) &&
	      res->again == SMALL_LEN && res->again_ok,
	      "after that the submitter copies again (%d, exit %d)", res->again,
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

struct resolver {
	int uffd;
	void *area;
	size_t len;
	volatile int faulted;
	volatile int resolved;
	volatile int ring_moved;	/* another thread's NOP completed */
};

/*
 * Serve the range once it is faulted on, but only when the other thread
 * says the ring has moved on (or a hang bound has passed): before the
 * fix, the fault held the ring's lock until then.
 */
static void *resolve(void *arg)
{
	struct resolver *r = arg;
	struct pollfd pfd = { .fd = r->uffd, .events = POLLIN };
	struct uffd_msg msg;
	struct uffdio_copy copy;
	unsigned char *page;
	double end;

	if (poll(&pfd, 1, HANG_MS) != 1 ||
	    read(r->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	r->faulted = 1;
	end = wd_now_ms() + 20000;
	while (!r->ring_moved && wd_now_ms() < end)
		usleep(10000);
	page = malloc(r->len);
	if (!page)
		return NULL;
	memset(page, 0xc3, r->len);
	copy = (struct uffdio_copy){
		.dst = (unsigned long)r->area,
		.src = (unsigned long)page,
		.len = r->len,
	};
	r->resolved = 1;
	ioctl(r->uffd, UFFDIO_COPY, &copy);
	free(page);
	return NULL;
}

/*
 * Another thread of the process, on the same ring: once the COPY has
 * faulted, a NOP, submitted and reaped. Its submission needs the ring's
 * lock, which a fault taken in the issue path would hold.
 */
struct other {
	struct io_uring *ring;
	struct resolver *r;
	int nop_res;
	int before_served;
};

static void *other_thread(void *arg)
{
	struct other *o = arg;
	struct io_uring_sqe *sqe;
	double end = wd_now_ms() + HANG_MS;
	__u64 ud = 0;

	while (!o->r->faulted && wd_now_ms() < end)
		usleep(10000);
	/* the ring has one SQ slot: the COPY's, consumed, now reused */
	sqe = io_uring_get_sqe(o->ring);
	if (!sqe)
		return NULL;
	io_uring_prep_nop(sqe);
	sqe->user_data = 2;
	io_uring_submit(o->ring);
	o->nop_res = wait_one(o->ring, HANG_MS, &ud);
	o->before_served = ud == 2 && !o->r->resolved;
	o->r->ring_moved = 1;
	return NULL;
}

static void test_uffd(int fd)
{
	struct resolver r = { .len = SMALL_LEN };
	struct other o = { .r = &r, .nop_res = 1 };
	unsigned char *dst;
	struct io_uring ring;
	pthread_t th, oth;
	int ret, copy_res, i;

	r.uffd = wd_uffd_range(SMALL_LEN, &r.area);
	dst = mmap(NULL, SMALL_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	o.ring = &ring;
	if (r.uffd < 0 || dst == MAP_FAILED || io_uring_queue_init(1, &ring, 0) ||
	    pthread_create(&th, NULL, resolve, &r) ||
	    pthread_create(&oth, NULL, other_thread, &o)) {
		for (i = 0; i < 2; i++)
			wd_skip("no userfaultfd here", "userfaultfd case %d (%d)",
				i + 1, r.uffd);
		return;
	}

	/* this thread may wait in here for the fault, as read(2) would */
	prep_copy(&ring, fd, dst, r.area, SMALL_LEN, 1);
	ret = io_uring_submit(&ring);
	pthread_join(oth, NULL);
	copy_res = wait_one(&ring, HANG_MS, NULL);
	pthread_join(th, NULL);

	wd_ok(r.faulted && o.nop_res == 0 && o.before_served,
	      "while a COPY waits for an unserved userfaultfd page, another thread's NOP on the same ring completes (%d)",
	      o.nop_res);
	wd_ok(ret == 1 && copy_res == SMALL_LEN && dst[0] == 0xc3 &&
	      dst[SMALL_LEN - 1] == 0xc3,
	      "once served, the COPY completes with the served bytes, its own operands though its SQ slot was reused (%d, %d)",
	      ret, copy_res);
	io_uring_queue_exit(&ring);
	close(r.uffd);
}

int main(void)
{
	int fd = io_uring_accel_open(EDU, O_RDWR);

	if (fd < 0)
		wd_skip_all("no edu0 (QEMU's edu device and warpdrive_edu)");
	if (geteuid())
		wd_skip_all("the cases switch users and serve kernel faults: root only");
	wd_plan(7);
	test_accounting(fd);
	test_uffd(fd);
	close(fd);
	return wd_exit();
}
