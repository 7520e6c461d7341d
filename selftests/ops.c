// SPDX-License-Identifier: GPL-2.0
/*
 * Every data op (COPY, FILL, COMPARE, COMPARE_PATTERN, CRC32C, COPY_CRC32C,
 * DUALCAST) in every way a request can be made: one SQE executed by the
 * engine, one SQE executed inline in the issue path, a descriptor batch
 * run by the engine and one run inline, and the synchronous ioctl. Sizes 0, 1, 7, 64, 4095, 4096, 65537, 16 MiB
 * and random ones, aligned and misaligned, each checked against the
 * references in wd_ref.h; guard bytes around every destination must come
 * back untouched. Results must be identical in all five ways.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define BIG		(16u << 20)
#define GUARD		64
#define GUARD_BYTE	0x5a

enum mode { M_ENGINE, M_INLINE, M_BATCH, M_BATCH_INLINE, M_IOCTL, M_END };
static const char *const mode_names[] = {
	"engine", "inline", "batch", "inline batch", "ioctl",
};

static int fd;
static const char *dev;
static struct io_uring ring;		/* CQE32: value results arrive */
static uint8_t *src, *dst, *dst2;	/* BIG + 2 * GUARD + 64 each */

/* Set where requests run: the engine (0), or inline for everything. */
static int set_mode(enum mode m)
{
	return wd_sysfs_write(dev, "inline_max",
			      m == M_INLINE || m == M_BATCH_INLINE ?
			      (1 << 30) : 0);
}

/*
 * Run @d in mode @m. Returns the res a CQE (or the ioctl) gave; *value
 * gets the value result. For the batch and ioctl modes the completion
 * record is checked against the result too.
 */
static int run(enum mode m, struct wd_desc *d, uint64_t *value)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	int res;

	*value = ~0ULL;
	if (m == M_IOCTL) {
		res = io_uring_accel_submit_sync(fd, d);
		*value = d->result;
		return res;
	}
	sqe = io_uring_get_sqe(&ring);
	if (m == M_BATCH || m == M_BATCH_INLINE)
		io_uring_prep_accel_batch(sqe, fd, d, 1);
	else
		io_uring_prep_accel_cmd(sqe, fd, WD_CMD(WD_CLASS_OP, d->op),
					d->flags, d->addr, d->len, d->addr2,
					d->arg);
	if (io_uring_submit_and_wait(&ring, 1) < 0 ||
	    io_uring_wait_cqe(&ring, &cqe))
		return -9999;
	res = cqe->res;
	*value = io_uring_cqe_accel_value(cqe);
	io_uring_cqe_seen(&ring, cqe);
	if (m != M_BATCH && m != M_BATCH_INLINE)
		return res;

	/* A batch of one: res is 1 or 0; the record has the rest. */
	if (res != !d->status) {
		wd_diag("batch res %d but status %d", res, d->status);
		return -9998;
	}
	*value = d->result;
	if (d->status)
		return d->status;
	if (d->op == WD_OP_COMPARE || d->op == WD_OP_COMPARE_PATTERN)
		return d->result;
	return d->done;
}

static int guards_intact(const uint8_t *buf, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < GUARD; i++)
		if (buf[off - 1 - i] != GUARD_BYTE ||
		    buf[off + len + i] != GUARD_BYTE)
			return 0;
	return 1;
}

/*
 * One op at one size and alignment. Returns 1 when the device's result,
 * value and memory match the reference.
 */
static int check_one(enum mode m, int op, size_t len, size_t mis, unsigned seed)
{
	const uint64_t pattern = 0x0123456789abcdefULL ^ seed;
	uint8_t *s = src + GUARD + mis, *dd = dst + GUARD + mis;
	uint8_t *d2 = dst2 + GUARD + (mis ^ 1);
	uint32_t crc_seed = 0xffffffffu - seed;
	size_t want_res = len, diff = len;
	uint64_t want_value = 0, value;
	struct wd_desc d;
	int res, ok;

	/*
	 * Fresh data for small cases; the big ones use the random source
	 * filled once in main(), which is what makes 16 MiB cheap under
	 * emulation.
	 */
	if (len <= 65536)
		ref_random_fill(s, len, seed);
	/* only what this case can touch: the guards and the region */
	memset(dst, GUARD_BYTE, 2 * GUARD + 8 + len);
	memset(dst2, GUARD_BYTE, 2 * GUARD + 8 + len);

	switch (op) {
	case WD_OP_COPY:
		wd_desc_copy(&d, dd, s, len);
		break;
	case WD_OP_FILL:
		wd_desc_fill(&d, dd, pattern, len);
		break;
	case WD_OP_COMPARE:
	case WD_OP_COMPARE_PATTERN:
		/* a second buffer equal to the source, or to the pattern */
		if (op == WD_OP_COMPARE)
			memcpy(dd, s, len);
		else
			ref_pattern_fill(dd, len, pattern);
		if (seed & 1 && len) {
			diff = (seed * 7919u) % len;
			dd[diff] ^= 0x40;
		}
		want_res = want_value = diff;
		if (op == WD_OP_COMPARE)
			wd_desc_compare(&d, s, dd, len);
		else
			wd_desc_compare_pattern(&d, dd, pattern, len);
		break;
	case WD_OP_CRC32C:
		wd_desc_crc32c(&d, s, len, crc_seed);
		want_value = ref_crc32c(crc_seed, s, len);
		break;
	case WD_OP_COPY_CRC32C:
		wd_desc_copy_crc32c(&d, dd, s, len, crc_seed);
		want_value = ref_crc32c(crc_seed, s, len);
		break;
	case WD_OP_DUALCAST:
		wd_desc_dualcast(&d, dd, d2, s, len);
		break;
	}

	res = run(m, &d, &value);
	ok = res >= 0 && (size_t)res == want_res && value == want_value;
	if (!ok)
		wd_diag("%s %s len %zu+%zu: res %d (want %zu) value %#llx (want %#llx)",
			mode_names[m], io_uring_accel_op_name(op), len, mis,
			res, want_res, (unsigned long long)value,
			(unsigned long long)want_value);

	switch (op) {
	case WD_OP_COPY:
	case WD_OP_COPY_CRC32C:
	case WD_OP_DUALCAST:
		ok &= !memcmp(dd, s, len);
		ok &= guards_intact(dst, GUARD + mis, len);
		if (op == WD_OP_DUALCAST)
			ok &= !memcmp(d2, s, len) &&
			      guards_intact(dst2, GUARD + (mis ^ 1), len);
		break;
	case WD_OP_FILL:
		/* the expected bytes, built in the unused second buffer */
		ref_pattern_fill(dst2, len, pattern);
		ok &= !memcmp(dd, dst2, len);
		ok &= guards_intact(dst, GUARD + mis, len);
		break;
	default:
		/* compares and CRC only read: the guards stay as written */
		ok &= guards_intact(dst, GUARD + mis, len);
		break;
	}
	if (!ok)
		wd_diag("%s %s len %zu+%zu: memory differs from the reference",
			mode_names[m], io_uring_accel_op_name(op), len, mis);
	return ok;
}

static void test_ops(void)
{
	static const size_t sizes[] = { 0, 1, 7, 64, 4095, 4096, 65537, BIG };
	unsigned int seed = 1;
	enum mode m;
	int op;

	for (m = 0; m < M_END; m++) {
		if (set_mode(m)) {
			wd_ok(0, "%s: cannot set inline_max", mode_names[m]);
			continue;
		}
		/* the memory ops; compression has its own test */
		for (op = WD_OP_COPY; op <= WD_OP_DUALCAST; op++) {
			int ok = 1, n = 0;
			size_t i, mis;

			for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
				for (mis = 0; mis < 8; mis += 3, n++)
					ok &= check_one(m, op, sizes[i], mis,
							seed++);
			/* random sizes, up to 1 MiB */
			for (i = 0; i < 6; i++, n++) {
				size_t len = (seed * 2654435761u) % (1u << 20);

				ok &= check_one(m, op, len, seed % 8, seed);
				seed++;
			}
			wd_ok(ok, "%s: %s over %d sizes and alignments",
			      mode_names[m], io_uring_accel_op_name(op), n);
		}
	}
	set_mode(M_ENGINE);
}

/* memmove semantics with the buffers overlapping either way. */
static void test_overlap(void)
{
	static const long shifts[] = { 1, 100, 4096, 70000, -1, -100, -4096,
				       -70000 };
	const size_t len = 200000;
	enum mode m;
	unsigned int i;

	for (m = 0; m < M_END; m++) {
		int ok = 1;

		set_mode(m);
		for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
			uint8_t *base = dst + GUARD + 80000;
			uint8_t *want = src;
			struct wd_desc d;
			uint64_t value;
			int res;

			ref_random_fill(base - 80000, len + 160000, i + 77);
			memcpy(want, base - 80000, len + 160000);
			memmove(want + 80000 + shifts[i], want + 80000, len);
			wd_desc_copy(&d, base + shifts[i], base, len);
			res = run(m, &d, &value);
			if (res != (int)len ||
			    memcmp(base - 80000, want, len + 160000)) {
				wd_diag("%s: shift %ld: res %d", mode_names[m],
					shifts[i], res);
				ok = 0;
			}
		}
		wd_ok(ok, "%s: overlapping COPY in both directions",
		      mode_names[m]);
	}
	set_mode(M_ENGINE);
}

/* The RFC 3720 check value: the CRC32C of "123456789" is 0xE3069283. */
static void test_crc_vector(void)
{
	static const char msg[] = "123456789";
	struct wd_desc d;
	uint64_t value;
	int res;

	wd_desc_crc32c(&d, msg, 9, 0xffffffffu);
	res = run(M_ENGINE, &d, &value);
	wd_ok(res == 9 && (uint32_t)~value == 0xE3069283u &&
	      (uint32_t)~ref_crc32c(0xffffffffu, msg, 9) == 0xE3069283u,
	      "CRC32C of \"123456789\" is the RFC 3720 check value (%#x)",
	      (uint32_t)~value);
}

int main(void)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQE32 };
	size_t size = BIG + 2 * GUARD + 64;

	fd = wd_open_or_skip();
	dev = wd_test_device();
	if (wd_sysfs_read(dev, "inline_max") < 0)
		wd_skip_all("the device has no inline_max");
	if (io_uring_queue_init_params(8, &ring, &p))
		wd_skip_all("no CQE32 rings");
	src = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dst2 = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED || dst2 == MAP_FAILED)
		wd_skip_all("out of memory");
	ref_random_fill(src, size, 12345);

	wd_plan(M_END * WD_OP_DUALCAST + M_END + 1);
	test_ops();
	test_overlap();
	test_crc_vector();
	io_uring_queue_exit(&ring);
	close(fd);
	return wd_exit();
}
