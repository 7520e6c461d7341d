// SPDX-License-Identifier: GPL-2.0
/*
 * Who may use a device, and what a device may see:
 *  - nodes are created 0660 root:root (docs/abi.md); an unprivileged user
 *    cannot open one, and can once the node's group is theirs (what the
 *    udev rule in scripts/udev/ does on a real machine);
 *  - a program exec'd with an inherited device fd works on its own new
 *    address space, never on its parent's old one;
 *  - what the kernel writes back carries nothing it should not: reserved
 *    descriptor fields stay as written, a failed descriptor's record is
 *    its status alone, a CQE32's second word is zero.
 * Needs root (it drops to uid/gid 65534 in a child).
 */
#include <grp.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "wd_uring.h"

#define NOBODY	65534

/* Rewrites a descriptor's record over and over, as a caller's thread may. */
static struct wd_desc forged __attribute__((aligned(64)));
static volatile int forging;

static void *forger(void *arg)
{
	(void)arg;
	while (forging) {
		*(volatile __s32 *)&forged.status = -ENOLINK;
		*(volatile __u32 *)&forged.done = 7;
	}
	return NULL;
}

/*
 * The ioctl's return value is the kernel's own result, whatever the
 * record in user memory says by the time the call returns. Returns how
 * many of @n calls returned something else.
 */
static int forge_ioctl(int fd, int n)
{
	static uint8_t src[4096], dst[4096];
	pthread_t t;
	int i, wrong = 0;

	forging = 1;
	if (pthread_create(&t, NULL, forger, NULL))
		return -1;
	for (i = 0; i < n; i++) {
		wd_desc_copy(&forged, dst, src, sizeof(src));
		if (io_uring_accel_submit_sync(fd, &forged) != sizeof(src))
			wrong++;
	}
	forging = 0;
	pthread_join(t, NULL);
	return wrong;
}

/* In a child with no privileges: open the device, copy, exit 0 on success. */
static int as_nobody(const char *node, int expect_errno)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		uint8_t a[64], b[64] = { 0 };
		struct wd_desc d;
		int fd;

		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(10);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			_exit(errno == expect_errno ? 0 : 100 + errno);
		if (expect_errno)
			_exit(12);
		memset(a, 7, sizeof(a));
		wd_desc_copy(&d, b, a, sizeof(a));
		_exit(io_uring_accel_submit_sync(fd, &d) == 64 && b[63] == 7 ?
		      0 : 13);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* After exec: use the inherited fd (number in argv[2]) on this mm. */
static int exec_child(int fd)
{
	uint8_t a[64], b[64] = { 0 };
	struct wd_desc d;

	memset(a, 9, sizeof(a));
	wd_desc_copy(&d, b, a, sizeof(a));
	return io_uring_accel_submit_sync(fd, &d) == 64 && b[0] == 9 ? 0 : 1;
}

int main(int argc, char **argv)
{
	char node[128];
	struct stat st;
	struct wd_desc d[3];
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	uint8_t a[64], b[64];
	int fd, ret, i, clean;
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child(atoi(argv[2]));
	if (geteuid())
		wd_skip_all("needs root");
	fd = wd_open_or_skip();
	snprintf(node, sizeof(node), "/dev/warpdrive/%s", wd_test_device());

	wd_plan(12);
	ret = stat(node, &st);
	wd_ok(!ret && (st.st_mode & 07777) == 0660 && st.st_uid == 0 &&
	      st.st_gid == 0, "%s is 0%o, owner %u:%u", node,
	      st.st_mode & 07777, st.st_uid, st.st_gid);
	ret = as_nobody(node, EACCES);
	wd_ok(ret == 0, "an unprivileged user cannot open it: EACCES (%d)", ret);
	ret = chown(node, 0, NOBODY);
	ret = ret ? -errno : as_nobody(node, 0);
	if (chown(node, 0, 0))
		wd_diag("could not give %s back to root: %s", node,
			strerror(errno));
	wd_ok(ret == 0, "in the node's group, the same user can, and copies (%d)",
	      ret);

	/* exec: the inherited fd serves the new program's memory */
	pid = fork();
	if (pid == 0) {
		char num[16];
		int keep = dup(fd);	/* without O_CLOEXEC */

		snprintf(num, sizeof(num), "%d", keep);
		execl("/proc/self/exe", argv[0], "--exec-child", num,
		      (char *)NULL);
		_exit(20);
	}
	ret = -1;
	if (pid > 0 && waitpid(pid, &i, 0) == pid && WIFEXITED(i))
		ret = WEXITSTATUS(i);
	wd_ok(ret == 0, "after exec, an inherited fd works on the new program's memory (%d)",
	      ret);

	/* write-back: records only, nothing else */
	memset(a, 3, sizeof(a));
	memset(b, 0, sizeof(b));
	wd_desc_copy(&d[0], b, a, sizeof(a));
	wd_desc_copy(&d[1], b, NULL, 64);		/* fails: -EFAULT */
	wd_desc_prep(&d[2], WD_OP_NOP, 0, 0, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		d[i].done = 0xdeadbeef;
		d[i].result = 0xdeadbeefdeadbeefull;
	}
	if (io_uring_queue_init_params(4, &ring, &p))
		wd_skip_all("no io_uring");
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd, d, 3);
	ret = wd_submit_wait1(&ring, NULL, NULL);
	clean = 1;
	for (i = 0; i < 3; i++)
		clean &= !d[i].__resv0[0] && !d[i].__resv0[1] &&
			 !d[i].__resv0[2] && !d[i].__resv1 && !d[i].__resv2;
	wd_ok(ret == 2 && clean, "a batch leaves reserved descriptor fields as written (%d)",
	      ret);
	wd_ok(d[1].status == -EFAULT && d[1].done == 0 && d[1].result == 0,
	      "a failed descriptor's record is its status alone (%d %u %llu)",
	      d[1].status, d[1].done, (unsigned long long)d[1].result);
	wd_ok(d[0].status == 0 && d[0].done == 64 && d[0].result == 0 &&
	      d[2].status == 0 && d[2].done == 0 && d[2].result == 0,
	      "succeeded descriptors' records hold exactly their results");

	io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, b, a, 64);
	io_uring_submit(&ring);
	ret = io_uring_wait_cqe(&ring, &cqe);
	wd_ok(!ret && cqe->res == 64 && cqe->big_cqe[0] == 0 &&
	      cqe->big_cqe[1] == 0,
	      "a CQE32's extra words are the value result and zero");
	if (!ret)
		io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);

	ret = forge_ioctl(fd, 200);
	wd_ok(ret == 0, "the ioctl returns the kernel's result while another thread rewrites the record: %d of 200 forged",
	      ret);

	/* a file opened read-only describes the device and does nothing */
	{
		int ro = io_uring_accel_open(wd_test_device(), O_RDONLY);
		struct wd_features f;
		int copy_res, batch_res, feat_res, nop_res, sync_res;

		if (ro < 0 || io_uring_queue_init(4, &ring, 0))
			wd_skip_all("no read-only fd or ring");
		memset(a, 5, sizeof(a));
		memset(b, 0, sizeof(b));
		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), ro, b, a, 64);
		copy_res = wd_submit_wait1(&ring, NULL, NULL);
		wd_desc_fill(&d[0], b, 0x1111111111111111ULL, sizeof(b));
		io_uring_prep_accel_batch(io_uring_get_sqe(&ring), ro, d, 1);
		batch_res = wd_submit_wait1(&ring, NULL, NULL);
		sync_res = io_uring_accel_submit_sync(ro, &d[0]);
		wd_ok(copy_res == -EBADF && batch_res == -EBADF &&
		      sync_res == -EBADF && b[0] == 0,
		      "read-only fd: COPY, batch and ioctl give -EBADF and write nothing (%d %d %d)",
		      copy_res, batch_res, sync_res);
		io_uring_prep_accel_get_features(io_uring_get_sqe(&ring), ro, &f);
		feat_res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(feat_res == (int)sizeof(f),
		      "read-only fd: GET_FEATURES works (%d)", feat_res);
		wd_nop_sqe(&ring, ro, 0, 0, 0);
		nop_res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(nop_res == 0, "read-only fd: a NOP works (%d)", nop_res);
		io_uring_queue_exit(&ring);
		close(ro);
	}
	close(fd);
	return wd_exit();
}
