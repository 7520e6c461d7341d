// SPDX-License-Identifier: GPL-2.0
/*
 * Whose memory a request touches, and requests outliving their submitter:
 *  - a device fd passed to another process (SCM_RIGHTS) or inherited by
 *    fork(): operands always resolve in the submitting process's address
 *    space, never the opener's, even at the very same virtual addresses;
 *  - a process that exits, or is killed, with data requests queued and
 *    running: everything completes inside the kernel, nothing hangs;
 *  - many threads, each with its own ring, on one device at once, with
 *    every result verified.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define LEN	4096

static const char *dev;

/* One COPY on a private ring, synchronously. */
static int copy_once(int fd, void *dst, const void *src, unsigned int len)
{
	struct io_uring ring;
	int res;

	if (io_uring_queue_init(4, &ring, 0))
		return -9999;
	io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, dst, src, len);
	res = wd_submit_wait1(&ring, NULL, NULL);
	io_uring_queue_exit(&ring);
	return res;
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/*
 * The parent opens the device and fills A with 0xaa and B with 0x00. A
 * child (forked before the open, so it shares nothing of the device)
 * receives the fd over a socket, puts its own data in A (its copy of the
 * page) and copies A to B. The child must see its data in its B; the
 * parent's B, at the same address, must still be zero.
 */
static void test_scm_rights(void)
{
	uint8_t *a = mmap(NULL, 2 * LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *b = a + LEN, zero[LEN] = { 0 };
	int sv[2], status = -1, fd;
	pid_t pid;

	memset(a, 0xaa, LEN);
	memset(b, 0, LEN);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		uint8_t want[LEN];
		int cfd = recv_fd(sv[1]);

		ref_random_fill(a, LEN, 42);
		memcpy(want, a, LEN);
		if (cfd < 0 || copy_once(cfd, b, a, LEN) != LEN)
			_exit(2);
		_exit(memcmp(b, want, LEN) ? 3 : 0);
	}
	fd = io_uring_accel_open(dev, O_RDWR);
	send_fd(sv[0], fd);
	waitpid(pid, &status, 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
	wd_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "fd passed over SCM_RIGHTS: the receiver's memory is used (child status %d)",
	      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	wd_ok(!memcmp(b, zero, LEN), "... and the opener's memory is untouched");
	munmap(a, 2 * LEN);
}

/* The same with an inherited fd: after fork() the pages are private. */
static void test_fork(void)
{
	uint8_t *a = mmap(NULL, 2 * LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *b = a + LEN, zero[LEN] = { 0 };
	int status = -1, fd = io_uring_accel_open(dev, O_RDWR);
	pid_t pid;

	memset(a, 0x11, LEN);
	memset(b, 0, LEN);
	pid = fork();
	if (pid == 0) {
		memset(a, 0x77, LEN);
		if (copy_once(fd, b, a, LEN) != LEN)
			_exit(2);
		_exit(b[0] == 0x77 && b[LEN - 1] == 0x77 ? 0 : 3);
	}
	waitpid(pid, &status, 0);
	wd_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	      !memcmp(b, zero, LEN),
	      "fork(): the child copies in its own memory, the parent's is untouched");
	/* and the parent, through the same fd, uses its own */
	wd_ok(copy_once(fd, b, a, LEN) == LEN && b[0] == 0x11,
	      "fork(): the parent's requests use the parent's memory");
	close(fd);
	munmap(a, 2 * LEN);
}

/*
 * A child queues slow COPYs (and a batch) and leaves: by exit, or killed
 * while waiting. The engine must never use its memory after it is gone,
 * and every request must be accounted for.
 */
static void test_exit_in_flight(int kill_it)
{
	int status = 0;
	pid_t pid;

	wd_sysfs_write(dev, "delay_us", 2000);
	wd_sysfs_write(dev, "inline_max", 0);
	pid = fork();
	if (pid == 0) {
		static uint8_t a[64][LEN], b[64][LEN];
		static struct wd_desc d[16];
		struct io_uring_cqe *cqe;
		struct io_uring ring;
		int i, cfd = io_uring_accel_open(dev, O_RDWR);

		if (cfd < 0 || io_uring_queue_init(128, &ring, 0))
			_exit(2);
		for (i = 0; i < 64; i++)
			io_uring_prep_accel_copy(io_uring_get_sqe(&ring), cfd,
						 b[i], a[i], LEN);
		for (i = 0; i < 16; i++)
			wd_desc_crc32c(&d[i], a[i], LEN, 0);
		io_uring_prep_accel_batch(io_uring_get_sqe(&ring), cfd, d, 16);
		io_uring_submit(&ring);
		if (kill_it)
			io_uring_wait_cqe_nr(&ring, &cqe, 65);
		_exit(0);
	}
	if (kill_it) {
		usleep(30000);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	wd_ok(wd_wait_idle(dev, 20000) == 0,
	      "%s with data requests in flight: all completed in the kernel",
	      kill_it ? "process killed" : "process exit");
	wd_sysfs_write(dev, "delay_us", 0);
}

struct worker {
	pthread_t thread;
	int fd;
	unsigned int seed;
	int bad;
	int done;
};

/* Random ops of random sizes on its own ring, every result checked. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t *s = malloc(70000), *d = malloc(70000);
	struct io_uring ring;
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	int i;

	if (!s || !d || io_uring_queue_init_params(8, &ring, &p)) {
		w->bad = 1;
		return NULL;
	}
	for (i = 0; i < 200; i++) {
		unsigned int len = (w->seed * 2654435761u) % 65536;
		struct io_uring_cqe *cqe;
		int op = w->seed % 3;
		uint64_t value;
		int res;

		w->seed = w->seed * 1103515245u + 12345u;
		ref_random_fill(s, len, w->seed);
		if (op == 0)
			io_uring_prep_accel_copy(io_uring_get_sqe(&ring), w->fd,
						 d, s, len);
		else if (op == 1)
			io_uring_prep_accel_crc32c(io_uring_get_sqe(&ring),
						   w->fd, s, len, 7);
		else
			io_uring_prep_accel_fill(io_uring_get_sqe(&ring), w->fd,
						 d, w->seed, len);
		if (io_uring_submit_and_wait(&ring, 1) < 0 ||
		    io_uring_wait_cqe(&ring, &cqe)) {
			w->bad++;
			break;
		}
		res = cqe->res;
		value = io_uring_cqe_accel_value(cqe);
		io_uring_cqe_seen(&ring, cqe);
		if (res != (int)len ||
		    (op == 0 && memcmp(d, s, len)) ||
		    (op == 1 && value != ref_crc32c(7, s, len)) ||
		    (op == 2 && len &&
		     d[len - 1] != ref_pattern_byte(w->seed, len - 1)))
			w->bad++;
		w->done++;
	}
	io_uring_queue_exit(&ring);
	free(s);
	free(d);
	return NULL;
}

static void test_threads(void)
{
	long long queues = wd_sysfs_read(dev, "nr_queues");
	long long engines = wd_sysfs_read(dev, "engines");
	struct worker w[8];
	int i, bad = 0, done = 0, fd = io_uring_accel_open(dev, O_RDWR);

	/* every engine the device has, so requests run concurrently */
	if (engines > 0 && queues > 0)
		wd_sysfs_write(dev, "engines", queues);

	for (i = 0; i < 8; i++) {
		w[i] = (struct worker){ .fd = fd, .seed = 1000 + i };
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(w[i].thread, NULL);
		bad += w[i].bad;
		done += w[i].done;
	}
	close(fd);
	wd_ok(!bad && done == 8 * 200,
	      "8 threads x 200 random ops on their own rings, %lld engines: %d verified, %d bad",
	      queues, done, bad);
	if (engines > 0) {
		wd_ok(wd_sysfs_write(dev, "engines", 0) == -EINVAL &&
		      wd_sysfs_write(dev, "engines", queues + 1) == -EINVAL &&
		      !wd_sysfs_write(dev, "engines", engines),
		      "engines takes 1..nr_queues only");
	} else {
		wd_skip("no engines knob", "engines takes 1..nr_queues only");
	}
}

int main(void)
{
	long long saved;
	int fd = wd_open_or_skip();

	close(fd);
	dev = wd_test_device();
	saved = wd_sysfs_read(dev, "inline_max");
	if (saved < 0 || wd_sysfs_write(dev, "delay_us", 0))
		wd_skip_all("the device lacks inline_max or delay_us");

	wd_plan(8);
	test_scm_rights();
	test_fork();
	test_exit_in_flight(0);
	test_exit_in_flight(1);
	wd_sysfs_write(dev, "inline_max", saved);
	test_threads();
	return wd_exit();
}
