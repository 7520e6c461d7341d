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
 * @n COPYs of @len bytes on a ring of its own, one at a time, each
 * checked. Returns how many completed correctly; a CQE that does not come
 * within @hang_ms (a bound against a hang, not a timing) ends the count.
 * @lat_ms, when not NULL, gets each COPY's latency.
 */
static inline int wd_tenant_copies(int fd, int n, size_t len, int hang_ms,
				   double *lat_ms)
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
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;
		double t0 = wd_now_ms();
		int res;

		memset(s, i + 1, len);
		memset(d, 0, len);
		io_uring_prep_accel_copy(sqe, fd, d, s, len);
		io_uring_submit(&ring);
		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts)) {
			wd_diag("tenant: COPY %d got no CQE", i);
			break;
		}
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		if (lat_ms)
			lat_ms[i] = wd_now_ms() - t0;
		if (res != (int)len || memcmp(s, d, len)) {
			wd_diag("tenant: COPY %d: res %d", i, res);
			break;
		}
		good++;
	}
	io_uring_queue_exit(&ring);
	munmap(s, 2 * len);
	return good;
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
