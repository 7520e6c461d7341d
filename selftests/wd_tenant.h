/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The other tenant: small COPYs from a process that shares a device with
 * someone who is stalling or flooding it (selftests uffd and fairness).
 */
#ifndef WD_TENANT_H
#define WD_TENANT_H

#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include "wd_uring.h"

static inline double wd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * What a tenant submits: @prep fills request @i's SQE (and its buffers,
 * @s and @d of @len bytes each), @check judges its result.
 */
struct wd_tenant_op {
	const char *name;
	void (*prep)(struct io_uring_sqe *sqe, int fd, unsigned char *s,
		     unsigned char *d, size_t len, int i);
	int (*check)(int res, const unsigned char *s, const unsigned char *d,
		     size_t len);
};

/*
 * @n requests of @op on a ring of its own, one at a time, each checked.
 * Returns how many completed correctly; a CQE that does not come within
 * @hang_ms (a bound against a hang, not a timing) ends the count.
 * @lat_ms, when not NULL, gets each request's latency.
 */
static inline int wd_tenant_run(int fd, int n, size_t len, int hang_ms,
				double *lat_ms, const struct wd_tenant_op *op)
{
	struct __kernel_timespec ts = { .tv_sec = hang_ms / 1000 };
	unsigned char *s, *d;
	struct io_uring ring;
	int i, good = 0;

	s = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED || io_uring_queue_init(8, &ring, 0))
		return -1;
	d = s + len;
	for (i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		double t0 = wd_now_ms();
		int res;

		op->prep(io_uring_get_sqe(&ring), fd, s, d, len, i);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts)) {
			wd_diag("tenant: %s %d got no CQE", op->name, i);
			break;
		}
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (lat_ms)
			lat_ms[i] = wd_now_ms() - t0;
		if (!op->check(res, s, d, len)) {
			wd_diag("tenant: %s %d: res %d", op->name, i, res);
			break;
		}
		good++;
	}
	io_uring_queue_exit(&ring);
	munmap(s, 2 * len);
	return good;
}

static inline void wd_tenant_copy_prep(struct io_uring_sqe *sqe, int fd,
				       unsigned char *s, unsigned char *d,
				       size_t len, int i)
{
	memset(s, i + 1, len);
	memset(d, 0, len);
	io_uring_prep_accel_copy(sqe, fd, d, s, len);
}

static inline int wd_tenant_copy_check(int res, const unsigned char *s,
				       const unsigned char *d, size_t len)
{
	return res == (int)len && !memcmp(s, d, len);
}

/* @n COPYs of @len bytes: see wd_tenant_run(). */
static inline int wd_tenant_copies(int fd, int n, size_t len, int hang_ms,
				   double *lat_ms)
{
	static const struct wd_tenant_op copy = {
		.name	= "COPY",
		.prep	= wd_tenant_copy_prep,
		.check	= wd_tenant_copy_check,
	};

	return wd_tenant_run(fd, n, len, hang_ms, lat_ms, &copy);
}

/*
 * An anonymous range registered with a fresh userfaultfd for missing
 * pages, and served by nobody: a fault there waits until the uffd is
 * closed or the faulting task is killed. Returns the uffd (or -errno) and
 * the range in *@area. Needs CONFIG_USERFAULTFD (and root, for faults
 * taken by the kernel).
 */
static inline int wd_uffd_range(size_t len, void **area)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *p;
	int uffd;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		return -errno;
	if (ioctl(uffd, UFFDIO_API, &api)) {
		close(uffd);
		return -errno;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		close(uffd);
		return -ENOMEM;
	}
	reg.range.start = (unsigned long)p;
	reg.range.len = len;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		int err = -errno;

		munmap(p, len);
		close(uffd);
		return err;
	}
	*area = p;
	return uffd;
}

#endif /* WD_TENANT_H */
