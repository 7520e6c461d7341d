// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded stress: processes x threads x rings keep soft0 busy with random
 * ops and sizes, every result verified, while the parent makes trouble:
 * it kills workers with requests in flight (and starts new ones), sends
 * signals, tries to unload the driver, and the workers themselves cancel
 * their own in-flight requests (IORING_OP_ASYNC_CANCEL) and close their
 * device fds between rounds. One more process holds requests whose
 * operands are in a userfaultfd range nobody serves, for the whole run.
 * Every request a surviving worker submitted must get exactly one CQE;
 * the device must drain and keep working.
 * WD_STRESS_SECS sets the duration (default 30).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "wd_ref.h"
#include "wd_tenant.h"

#define PROCS		4
#define THREADS		2
#define QD		16
#define MAXLEN		(256 * 1024)

struct counts {
	long submitted, completed, verified, bad, cancels;
};

/* One per worker slot, shared with the parent. */
static struct counts *shared;
static volatile int stop_at;

struct slot {
	int op;
	uint32_t len;
	uint64_t arg;
	uint8_t *src, *dst;
	int busy;
};

static void prep(struct io_uring_sqe *sqe, int fd, struct slot *s,
		 unsigned int i, uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	s->op = (*rng >> 33) % 4;
	s->len = (*rng >> 13) % 5 ? (*rng >> 20) % 4096 :
				    (*rng >> 20) % MAXLEN;
	s->arg = *rng;
	switch (s->op) {
	case 0:
		ref_random_fill(s->src, s->len, *rng);
		io_uring_prep_accel_copy(sqe, fd, s->dst, s->src, s->len);
		break;
	case 1:
		io_uring_prep_accel_fill(sqe, fd, s->dst, s->arg, s->len);
		break;
	case 2:
		ref_random_fill(s->src, s->len, *rng);
		s->arg &= 0xffffffff;
		io_uring_prep_accel_crc32c(sqe, fd, s->src, s->len, s->arg);
		break;
	default:
		ref_pattern_fill(s->src, s->len, s->arg);
		io_uring_prep_accel_compare_pattern(sqe, fd, s->src, s->arg,
						    s->len);
		break;
	}
	sqe->user_data = i;
	s->busy = 1;
}

static int verify(struct slot *s, struct io_uring_cqe *cqe)
{
	size_t i;

	if (cqe->res == -ECANCELED)
		return 1;
	switch (s->op) {
	case 0:
		return cqe->res == (int)s->len && !memcmp(s->src, s->dst, s->len);
	case 1:
		for (i = 0; i < s->len; i++)
			if (s->dst[i] != ref_pattern_byte(s->arg, i))
				return 0;
		return cqe->res == (int)s->len;
	case 2:
		return cqe->res == (int)s->len &&
		       (uint32_t)io_uring_cqe_accel_value(cqe) ==
		       ref_crc32c(s->arg, s->src, s->len);
	default:
		return cqe->res == (int)s->len;	/* equal: offset = len */
	}
}

static void *worker(void *data)
{
	struct counts *c = data;
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	struct slot slots[QD];
	struct io_uring ring;
	uint64_t rng = (uintptr_t)data ^ getpid();
	int i, fd, round = 0;

	for (i = 0; i < QD; i++) {
		slots[i].src = malloc(MAXLEN);
		slots[i].dst = malloc(MAXLEN);
		slots[i].busy = 0;
	}
	if (io_uring_queue_init_params(2 * QD, &ring, &p))
		return NULL;
	while (time(NULL) < stop_at) {
		unsigned int inflight = 0;

		/* a fresh fd each round: closing with requests in flight */
		fd = io_uring_accel_open("soft0", O_RDWR);
		if (fd < 0)
			break;
		for (i = 0; i < QD; i++) {
			prep(io_uring_get_sqe(&ring), fd, &slots[i], i, &rng);
			inflight++;
		}
		c->submitted += QD;
		if (round++ % 3 == 0) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			io_uring_prep_cancel64(sqe, rng % QD, 0);
			sqe->user_data = 1000;
		}
		io_uring_submit(&ring);
		close(fd);
		while (inflight) {
			struct __kernel_timespec ts = { .tv_sec = 20 };
			struct io_uring_cqe *cqe;
			int ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);

			if (ret == -EINTR)
				continue;
			if (ret) {
				c->bad++;	/* a request without its CQE */
				break;
			}
			if (cqe->user_data == 1000) {
				/* nothing may be cancelled twice or lost */
				if (cqe->res && cqe->res != -ENOENT &&
				    cqe->res != -EALREADY)
					c->bad++;
				c->cancels++;
			} else if (cqe->user_data < QD &&
				   slots[cqe->user_data].busy) {
				struct slot *s = &slots[cqe->user_data];

				s->busy = 0;
				c->completed++;
				if (verify(s, cqe))
					c->verified++;
				else
					c->bad++;
				inflight--;
			} else {
				c->bad++;	/* a CQE for nothing */
			}
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
	return NULL;
}

/*
 * The stalled tenant: COPYs from an unserved userfaultfd range, through a
 * ring and through the ioctl (a second thread), until it is killed.
 * Returns 0 if it could not stall (no userfaultfd): the run goes on
 * without it.
 */
static void *stall_ioctl(void *area)
{
	static uint8_t out[65536];
	struct wd_desc d;
	int fd = io_uring_accel_open("soft0", O_RDWR);

	wd_desc_copy(&d, out, area, sizeof(out));
	io_uring_accel_submit_sync(fd, &d);
	return NULL;
}

static pid_t start_staller(void)
{
	static uint8_t out[4][65536];
	struct io_uring ring;
	void *area = NULL;
	pthread_t t;
	pid_t pid;
	int fd, i;

	pid = fork();
	if (pid)
		return pid;
	fd = io_uring_accel_open("soft0", O_RDWR);
	if (fd < 0 || wd_uffd_range(5 * 65536, &area) < 0 ||
	    io_uring_queue_init(8, &ring, 0))
		_exit(4);
	for (i = 0; i < 4; i++)
		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, out[i],
					 (uint8_t *)area + i * 65536, 65536);
	io_uring_submit(&ring);
	pthread_create(&t, NULL, stall_ioctl, (uint8_t *)area + 4 * 65536);
	for (;;)
		pause();
}

static void on_signal(int sig)
{
	(void)sig;
}

static void run_process(int idx)
{
	pthread_t th[THREADS];
	struct sigaction sa = { .sa_handler = on_signal };
	int t;

	sigaction(SIGUSR1, &sa, NULL);
	for (t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, worker,
			       &shared[idx * THREADS + t]);
	for (t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	_exit(0);
}

int main(void)
{
	int secs = getenv("WD_STRESS_SECS") ? atoi(getenv("WD_STRESS_SECS")) :
					      30;
	pid_t pids[PROCS], staller, staller_status;
	int slot_of[PROCS];
	int kills = 0, signals = 0, unloads = 0, unload_bad = 0;
	struct counts sum = {};
	int i, fd, slot_base, nslots = PROCS * THREADS * 64;
	long long left, canceled0;

	/*
	 * Held for the whole run: the workers close and reopen theirs, and
	 * between two rounds none might be open, when unloading would be
	 * right to succeed.
	 */
	fd = wd_open_or_skip();
	canceled0 = wd_sysfs_read("soft0", "canceled");
	shared = mmap(NULL, nslots * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		wd_skip_all("out of memory");
	stop_at = time(NULL) + secs;

	wd_plan(6);
	wd_diag("%d processes x %d threads x 1 ring, %d s, beside a stalled tenant",
		PROCS, THREADS, secs);
	staller = start_staller();
	for (i = 0; i < PROCS; i++) {
		slot_of[i] = i;
		pids[i] = fork();
		if (!pids[i])
			run_process(i);
	}
	slot_base = PROCS;
	while (time(NULL) < stop_at) {
		int r = rand() % 10;

		usleep(200 * 1000);
		if (r < 2 && slot_base < nslots / THREADS - 1) {
			/* kill one with requests in flight; a new one takes over */
			int v = rand() % PROCS;

			kill(pids[v], SIGKILL);
			waitpid(pids[v], NULL, 0);
			kills++;
			slot_of[v] = slot_base++;
			pids[v] = fork();
			if (!pids[v])
				run_process(slot_of[v]);
		} else if (r < 6) {
			kill(pids[rand() % PROCS], SIGUSR1);
			signals++;
		} else if (r < 7 && !geteuid()) {
			int ret = syscall(SYS_delete_module, "warpdrive_soft",
					  O_NONBLOCK) ? -errno : 0;

			unloads++;
			if (ret != -EWOULDBLOCK && ret != -EBUSY)
				unload_bad++;
		}
	}
	for (i = 0; i < PROCS; i++)
		waitpid(pids[i], NULL, 0);
	/* it was stalled all along: still there, until killed */
	staller_status = waitpid(staller, &i, WNOHANG);
	kill(staller, SIGKILL);
	waitpid(staller, NULL, 0);

	for (i = 0; i < slot_base * THREADS; i++) {
		sum.verified += shared[i].verified;
		sum.bad += shared[i].bad;
		sum.cancels += shared[i].cancels;
	}
	/* a killed worker cannot finish its count: the survivors' must add up */
	for (i = 0; i < PROCS; i++) {
		int t;

		for (t = 0; t < THREADS; t++) {
			struct counts *c = &shared[slot_of[i] * THREADS + t];

			sum.submitted += c->submitted;
			sum.completed += c->completed;
		}
	}
	wd_ok(sum.verified > 0 && sum.bad == 0,
	      "%ld ops verified, %ld bad, %ld cancel attempts; %d kills, %d signals",
	      sum.verified, sum.bad, sum.cancels, kills, signals);
	if (staller_status == staller && WIFEXITED(i) && WEXITSTATUS(i) == 4)
		wd_skip("no userfaultfd", "a stalled tenant");
	else
		wd_ok(staller_status == 0,
		      "a tenant stalled on unserved userfaultfd pages all along (4 ring COPYs, 1 ioctl) did not hold the others up");
	wd_ok(unload_bad == 0,
	      "%d unload attempts, each refused while in use", unloads);
	close(fd);
	left = wd_wait_idle("soft0", 20000);
	wd_ok(left == 0,
	      "soft0 drained: nothing left in flight (%lld); %lld requests of killed workers canceled",
	      left, wd_sysfs_read("soft0", "canceled") - canceled0);
	wd_ok(sum.submitted > 0 && sum.submitted == sum.completed,
	      "the surviving workers: %ld submitted, %ld completed, one CQE each",
	      sum.submitted, sum.completed);
	fd = io_uring_accel_open("soft0", O_RDWR);
	{
		uint8_t a[64], b[64] = { 0 };
		struct wd_desc d;

		memset(a, 5, sizeof(a));
		wd_desc_copy(&d, b, a, sizeof(a));
		wd_ok(fd >= 0 && io_uring_accel_submit_sync(fd, &d) == 64 &&
		      b[10] == 5, "soft0 works afterwards");
	}
	if (fd >= 0)
		close(fd);
	return wd_exit();
}
