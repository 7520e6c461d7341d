// SPDX-License-Identifier: GPL-2.0
/*
 * SQE and CQE sizes:
 *  - a descriptor carried in a 128-byte SQE (WD_CMD_DESC) runs as its op,
 *    its record in the CQE, on an IORING_SETUP_SQE128 ring; it is refused
 *    in a 64-byte SQE and with anything in its record or padding;
 *  - where the kernel and liburing have them (Linux 7.x, liburing 2.12+):
 *    on an IORING_SETUP_CQE_MIXED ring, ops with a value result complete
 *    in 32-byte CQEs (IORING_CQE_F_32) carrying it and the rest in 16-byte
 *    ones, interleaved on one CQ ring; on an IORING_SETUP_SQE_MIXED ring,
 *    descriptors in IORING_OP_URING_CMD128 SQEs run among 64-byte op SQEs.
 * Elsewhere the mixed cases are skipped; on Linux 7 and later, built with
 * a liburing that has them, a ring that cannot be set up fails instead.
 */
#include <sys/mman.h>
#include <sys/utsname.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define LEN	4096
#define N	8

static int fd;
static unsigned char *src, *dst;

/* Linux 7 and later have mixed CQE and SQE sizes: no skipping there. */
static int __attribute__((unused)) kernel_has_mixed(void)
{
	struct utsname u;
	unsigned int major = 0;

	return !uname(&u) && sscanf(u.release, "%u", &major) == 1 &&
	       major >= 7;
}

/* Reap @n CQEs; res and value by user_data (< 2 * N). Returns CQEs got. */
static int reap(struct io_uring *ring, int n, int *res, __u64 *val, int *big)
{
	struct __kernel_timespec ts = { .tv_sec = 60 };
	int i;

	for (i = 0; i < n; i++) {
		struct io_uring_cqe *cqe;
		__u64 ud;

		if (io_uring_wait_cqe_timeout(ring, &cqe, &ts))
			break;
		ud = cqe->user_data;
		if (ud < 2 * N) {
			res[ud] = cqe->res;
			val[ud] = io_uring_accel_cqe_value(ring, cqe);
#ifdef IORING_CQE_F_32
			big[ud] = !!(cqe->flags & IORING_CQE_F_32);
#else
			big[ud] = 0;
#endif
		}
		io_uring_cqe_seen(ring, cqe);
	}
	return i;
}

static void fill(void)
{
	ref_random_fill(src, N * LEN, 0x5151);
	memset(dst, 0, N * LEN);
}

/* Descriptors in SQE128 SQEs: N COPYs and N CRC32Cs, one submission. */
static void test_sqe128(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
	};
	int res[2 * N] = { 0 }, big[2 * N] = { 0 }, i, copies = 0, crcs = 0;
	__u64 val[2 * N] = { 0 };
	int got;
	struct io_uring ring;
	struct wd_desc d;

	if (io_uring_queue_init_params(2 * N, &ring, &p)) {
		for (i = 0; i < 4; i++)
			wd_skip("no SQE128 rings", "SQE128 descriptor case %d",
				i + 1);
		return;
	}
	fill();
	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		wd_desc_copy(&d, dst + i * LEN, src + i * LEN, LEN);
		io_uring_prep_accel_desc(sqe, fd, &d);
		sqe->user_data = i;
		sqe = io_uring_get_sqe(&ring);
		wd_desc_crc32c(&d, src + i * LEN, LEN, ~0U);
		io_uring_prep_accel_desc(sqe, fd, &d);
		sqe->user_data = N + i;
	}
	io_uring_submit(&ring);
	got = reap(&ring, 2 * N, res, val, big);
	for (i = 0; i < N; i++) {
		copies += res[i] == LEN &&
			  !memcmp(dst + i * LEN, src + i * LEN, LEN);
		crcs += res[N + i] == LEN &&
			val[N + i] == ref_crc32c(~0U, src + i * LEN, LEN);
	}
	wd_ok(got == 2 * N && copies == N,
	      "SQE128: %d descriptor COPYs in the SQE copy their bytes (%d of %d CQEs)",
	      copies, got, 2 * N);
	wd_ok(crcs == N,
	      "SQE128+CQE32: %d descriptor CRC32Cs return the CRC in the CQE",
	      crcs);

	/* a record field or the padding set: refused */
	{
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		int r1, r2;

		wd_desc_copy(&d, dst, src, LEN);
		d.done = 1;
		io_uring_prep_accel_desc(sqe, fd, &d);
		r1 = wd_submit_wait1(&ring, NULL, NULL);
		sqe = io_uring_get_sqe(&ring);
		wd_desc_copy(&d, dst, src, LEN);
		io_uring_prep_accel_desc(sqe, fd, &d);
		((struct wd_sqe_desc *)(void *)sqe->cmd)->__resv[1] = 1;
		r2 = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(r1 == -EINVAL && r2 == -EINVAL,
		      "SQE128: a descriptor with a record field or padding set is refused (%d, %d)",
		      r1, r2);
	}
	io_uring_queue_exit(&ring);

	/* in a 64-byte SQE there is no room for it */
	if (!io_uring_queue_init(4, &ring, 0)) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		int r;

		io_uring_prep_accel_cmd(sqe, fd, WD_CMD_DESC, 0, 0, 0, 0, 0);
		r = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(r == -EINVAL,
		      "a descriptor command in a 64-byte SQE is refused (%d)", r);
		io_uring_queue_exit(&ring);
	} else {
		wd_ok(0, "no plain ring");
	}
}

#ifdef IORING_SETUP_CQE_MIXED
/* CQE_MIXED: CRC32Cs in 32-byte CQEs, COPYs in 16-byte ones, interleaved. */
static void test_cqe_mixed(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQE_MIXED };
	int res[2 * N] = { 0 }, big[2 * N] = { 0 }, i, copies = 0, crcs = 0;
	__u64 val[2 * N] = { 0 };
	int got;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init_params(2 * N, &ring, &p);
	if (ret && kernel_has_mixed()) {
		wd_ok(0, "CQE_MIXED: a ring on this kernel (%d)", ret);
		wd_ok(0, "CQE_MIXED: the rest in 16-byte CQEs");
		return;
	}
	if (ret) {
		wd_skip("the kernel has no CQE_MIXED rings (7.x)",
			"CQE_MIXED: value results in 32-byte CQEs (%d)", ret);
		wd_skip("the kernel has no CQE_MIXED rings (7.x)",
			"CQE_MIXED: the rest in 16-byte CQEs");
		return;
	}
	fill();
	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_accel_crc32c(sqe, fd, src + i * LEN, LEN, ~0U);
		sqe->user_data = N + i;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_accel_copy(sqe, fd, dst + i * LEN, src + i * LEN,
					 LEN);
		sqe->user_data = i;
	}
	io_uring_submit(&ring);
	got = reap(&ring, 2 * N, res, val, big);
	for (i = 0; i < N; i++) {
		copies += res[i] == LEN && !big[i] &&
			  !memcmp(dst + i * LEN, src + i * LEN, LEN);
		crcs += res[N + i] == LEN && big[N + i] &&
			val[N + i] == ref_crc32c(~0U, src + i * LEN, LEN);
	}
	wd_ok(got == 2 * N && crcs == N,
	      "CQE_MIXED: %d CRC32Cs complete in 32-byte CQEs with the CRC (%d CQEs)",
	      crcs, got);
	wd_ok(copies == N,
	      "CQE_MIXED: %d COPYs complete in 16-byte CQEs, interleaved with them",
	      copies);
	io_uring_queue_exit(&ring);
}
#else
static void test_cqe_mixed(void)
{
	wd_skip("built with a liburing without CQE_MIXED",
		"CQE_MIXED: value results in 32-byte CQEs");
	wd_skip("built with a liburing without CQE_MIXED",
		"CQE_MIXED: the rest in 16-byte CQEs");
}
#endif

#ifdef IORING_SETUP_SQE_MIXED
/*
 * SQE_MIXED and CQE_MIXED: descriptor CRC32Cs in 128-byte SQEs among
 * 64-byte COPY SQEs; each CRC comes back in a 32-byte CQE.
 */
static void test_sqe_mixed(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SQE_MIXED | IORING_SETUP_CQE_MIXED,
	};
	int res[2 * N] = { 0 }, big[2 * N] = { 0 }, i, copies = 0, crcs = 0;
	__u64 val[2 * N] = { 0 };
	int got;
	struct io_uring ring;
	struct wd_desc d;
	int ret;

	ret = io_uring_queue_init_params(4 * N, &ring, &p);
	if (ret && kernel_has_mixed()) {
		wd_ok(0, "SQE_MIXED: a ring on this kernel (%d)", ret);
		return;
	}
	if (ret) {
		wd_skip("the kernel has no SQE_MIXED rings (7.x)",
			"SQE_MIXED: descriptors in 128-byte SQEs (%d)", ret);
		return;
	}
	fill();
	for (i = 0; i < N; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_accel_copy(sqe, fd, dst + i * LEN, src + i * LEN,
					 LEN);
		sqe->user_data = i;
		sqe = io_uring_get_sqe128(&ring);
		if (!sqe)
			break;
		wd_desc_crc32c(&d, src + i * LEN, LEN, ~0U);
		io_uring_prep_accel_desc128(sqe, fd, &d);
		sqe->user_data = N + i;
	}
	io_uring_submit(&ring);
	got = reap(&ring, 2 * N, res, val, big);
	for (i = 0; i < N; i++) {
		copies += res[i] == LEN &&
			  !memcmp(dst + i * LEN, src + i * LEN, LEN);
		crcs += res[N + i] == LEN && big[N + i] &&
			val[N + i] == ref_crc32c(~0U, src + i * LEN, LEN);
	}
	wd_ok(got == 2 * N && copies == N && crcs == N,
	      "SQE_MIXED: %d descriptor CRC32Cs in 128-byte SQEs among %d 64-byte COPYs, CRCs in 32-byte CQEs (%d CQEs)",
	      crcs, copies, got);
	io_uring_queue_exit(&ring);
}
#else
static void test_sqe_mixed(void)
{
	wd_skip("built with a liburing without SQE_MIXED",
		"SQE_MIXED: descriptors in 128-byte SQEs");
}
#endif

int main(void)
{
	fd = wd_open_or_skip();
	src = mmap(NULL, 2 * N * LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED)
		wd_skip_all("no memory");
	dst = src + N * LEN;

	wd_plan(7);
	test_sqe128();
	test_cqe_mixed();
	test_sqe_mixed();
	close(fd);
	return wd_exit();
}
