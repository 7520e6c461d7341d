// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded fuzzing of the request path: random SQEs (command numbers,
 * flags, reserved fields, operands, lengths, registered-buffer indexes, on
 * plain and SQE128/CQE32 rings) and random descriptor batches, thrown at
 * the test device for a fixed number of requests or seconds. Every CQE
 * must be a sane result or a negative errno from the documented set, every
 * request must get exactly one CQE, and the device must still work and be
 * idle afterwards; the kernel's detectors watch the console meanwhile.
 *
 * Operands are drawn so that nothing can scribble on this program: valid
 * pointers lie in a scratch arena with lengths that stay inside it; the
 * rest are NULL, kernel addresses, an unmapped hole, a read-only page or
 * random numbers (which a 64-bit address space makes unmapped).
 * WD_FUZZ_SEED and WD_FUZZ_COUNT override the seed and the request count.
 */
#include <sys/mman.h>
#include <time.h>
#include "wd_uring.h"

#define REACH		(1u << 20)	/* where arena operands start, and how long they may be */
#define ARENA		(4 * REACH)
#define QD		32

static uint8_t *arena, *ro_page, *hole;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(const uint64_t *v, int n)
{
	return v[rnd() % n];
}

/*
 * An operand address: NULL, a kernel address, an unmapped hole, a
 * read-only page, anything at all, or (mostly) somewhere in the first
 * 1 MiB of the arena.
 */
static uint64_t operand(void)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return 0xffff888000000000ull + (rnd() & 0xffffff);
	case 2:
		return (uint64_t)(unsigned long)hole + rnd() % 4096;
	case 3:
		return (uint64_t)(unsigned long)ro_page + rnd() % 4096;
	case 4:
		return rnd();
	default:
		return (uint64_t)(unsigned long)arena + rnd() % REACH;
	}
}

static int in_arena(uint64_t addr)
{
	return addr >= (uint64_t)(unsigned long)arena &&
	       addr < (uint64_t)(unsigned long)arena + ARENA;
}

/*
 * Whatever an op writes must stay inside the arena when it points there:
 * lengths (and a compressor's output length) are held to REACH then, and
 * the arena has room for an operand at REACH plus REACH more, plus
 * DUALCAST's second destination.
 */
static uint32_t clamp_len(uint32_t len, uint64_t addr, uint64_t addr2)
{
	if ((in_arena(addr) || in_arena(addr2)) && len > REACH)
		len %= REACH + 1;
	return len;
}

static uint32_t rnd_len(void)
{
	static const uint64_t lens[] = {
		0, 1, 7, 64, 511, 512, 513, 4096, 65536, ARENA,
		(64u << 20) + 1, 0xffffffffu,
	};

	return rnd() % 4 ? rnd() % 8192 : pick(lens, 12);
}

static uint32_t rnd_cmd_op(void)
{
	uint32_t cls, nr;

	if (rnd() % 16 == 0)
		return rnd();		/* junk */
	cls = rnd() % 8 ? 1 : rnd() % 4;	/* mostly ops */
	nr = rnd() % 4 ? rnd() % WD_OP_END : rnd() % 256;
	return WD_CMD(cls, nr);
}

static uint32_t rnd_flags(void)
{
	switch (rnd() % 4) {
	case 0:
		return rnd();
	case 1:
		return 1u << (rnd() % 32);
	default:
		return 0;
	}
}

static uint64_t rnd_arg(uint32_t op)
{
	if (op == WD_OP_COMPRESS || op == WD_OP_DECOMPRESS)
		return rnd() % 4 ? WD_COMP_ARG(rnd() % (REACH + 1), rnd() % 6,
					       rnd() % 11) :
				   rnd() & ~0xffffffffull;	/* bad fields */
	if (op == WD_OP_DUALCAST)	/* its second destination */
		return (uint64_t)(unsigned long)arena + 2 * REACH;
	return rnd() % 3 ? rnd() & 0xffffffff : rnd();
}

/* A random descriptor; the operands are as safe as an SQE's. */
static void rnd_desc(struct wd_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->op = rnd() % 4 ? rnd() % WD_OP_END : rnd();
	d->flags = rnd_flags();
	d->addr = operand();
	d->addr2 = operand();
	d->len = clamp_len(rnd_len(), d->addr, d->addr2);
	d->arg = rnd_arg(d->op);
	if (rnd() % 16 == 0)
		d->__resv1 = rnd();
	if (rnd() % 16 == 0)
		d->__resv2 = rnd();
	d->status = rnd();	/* records are output only */
}

/* Batches' descriptors, with an unmapped page after them (see main()). */
static struct wd_desc (*descs)[8];

static void rnd_sqe(struct io_uring_sqe *sqe, int fd, int slot, int sqe128)
{
	uint32_t cmd_op = rnd_cmd_op();
	uint64_t addr = operand(), addr2 = operand();
	uint32_t len = clamp_len(rnd_len(), addr, addr2);
	int i, n;

	io_uring_prep_accel_cmd(sqe, fd, cmd_op, rnd_flags(), addr, len,
				addr2, rnd_arg(WD_CMD_NR(cmd_op)));
	if (WD_CMD_CLASS(cmd_op) == WD_CLASS_BATCH && rnd() % 2) {
		n = 1 + rnd() % 8;
		for (i = 0; i < n; i++)
			rnd_desc(&descs[slot][i]);
		sqe->addr = (uint64_t)(unsigned long)descs[slot];
		/* a count past the end reads into the unmapped page */
		sqe->len = rnd() % 8 ? (uint32_t)n : (uint32_t)rnd();
	}
	if (rnd() % 32 == 0)
		sqe->buf_index = rnd();
	if (rnd() % 32 == 0) {
		sqe->uring_cmd_flags |= IORING_URING_CMD_FIXED;
		sqe->buf_index = rnd() % 2;
	}
	if (sqe128 && rnd() % 8 == 0)
		((uint8_t *)sqe->cmd)[16 + rnd() % 64] = rnd() | 1;
	sqe->user_data = slot;
}

/* What a CQE may say. */
static int sane(int res)
{
	switch (res) {
	case -EINVAL: case -EOPNOTSUPP: case -EFAULT: case -ENOSPC:
	case -EBADMSG: case -ENOMEM: case -EAGAIN: case -E2BIG:
		return 1;
	default:
		return res >= 0;
	}
}

/* Run @count random requests on a ring set up with @flags. */
static int fuzz_ring(int fd, unsigned int flags, long count, double secs,
		     long *done, long *bad, int *errs)
{
	struct io_uring_params p = { .flags = flags };
	struct iovec iov = { .iov_base = arena, .iov_len = REACH };
	struct io_uring ring;
	long submitted = 0, reaped = 0;
	struct timespec t0, t;
	int inflight = 0, ret;

	ret = io_uring_queue_init_params(QD * 2, &ring, &p);
	if (ret)
		return ret;
	io_uring_register_buffers(&ring, &iov, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, got = 0;
		int stop;

		clock_gettime(CLOCK_MONOTONIC, &t);
		stop = submitted >= count ||
		       (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >
		       secs;
		while (!stop && inflight < QD) {
			rnd_sqe(io_uring_get_sqe(&ring), fd, inflight,
				flags & IORING_SETUP_SQE128);
			inflight++;
			submitted++;
		}
		if (!inflight)
			break;
		ret = io_uring_submit_and_wait(&ring, inflight);
		if (ret < 0 && ret != -EINTR) {
			wd_diag("submit: %s", strerror(-ret));
			break;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			if (!sane(cqe->res)) {
				if (*bad < 5)
					wd_diag("odd CQE res %d", cqe->res);
				(*bad)++;
			} else if (cqe->res < 0 && -cqe->res < 256) {
				errs[-cqe->res]++;
			}
			got++;
		}
		io_uring_cq_advance(&ring, got);
		reaped += got;
		inflight -= got;
	}
	io_uring_queue_exit(&ring);
	*done += submitted;
	return reaped == submitted ? 0 : -EIO;
}

int main(void)
{
	const char *env = getenv("WD_FUZZ_SEED");
	long count = getenv("WD_FUZZ_COUNT") ? atol(getenv("WD_FUZZ_COUNT")) :
					       20000;
	long done = 0, bad = 0;
	int errs[256] = {};
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed5eedull;
	struct wd_desc d;
	int fd, ret, e;

	fd = wd_open_or_skip();
	arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED || ro_page == MAP_FAILED || hole == MAP_FAILED)
		wd_skip_all("out of memory");
	munmap(hole, 4096);
	descs = mmap(NULL, QD * sizeof(*descs) + 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (descs == MAP_FAILED)
		wd_skip_all("out of memory");
	mprotect((uint8_t *)descs + QD * sizeof(*descs), 4096, PROT_NONE);
	rng = seed | 1;

	wd_plan(6);
	wd_diag("seed %#llx, up to %ld requests per ring", (unsigned long long)seed,
		count);
	ret = fuzz_ring(fd, 0, count, 20, &done, &bad, errs);
	wd_ok(ret == 0, "plain ring: every request got one CQE (%d)", ret);
	ret = fuzz_ring(fd, IORING_SETUP_SQE128 | IORING_SETUP_CQE32,
			count / 2, 10, &done, &bad, errs);
	wd_ok(ret == 0, "SQE128/CQE32 ring: every request got one CQE (%d)",
	      ret);
	wd_ok(bad == 0, "%ld random requests, every CQE a result or a documented errno (%ld odd)",
	      done, bad);
	for (e = 1; e < 256; e++)
		if (errs[e])
			wd_diag("  -%d (%s): %d", e, strerror(e), errs[e]);
	wd_ok(errs[EINVAL] && errs[EFAULT] && errs[EOPNOTSUPP],
	      "the fuzzer reached the validation, fault and capability paths");
	wd_ok(wd_wait_idle(wd_test_device(), 10000) == 0,
	      "the device is idle afterwards");
	memset(arena, 1, 64);
	memset(arena + 64, 0, 64);
	wd_desc_copy(&d, arena + 64, arena, 64);
	ret = io_uring_accel_submit_sync(fd, &d);
	wd_ok(ret == 64 && arena[127] == 1, "and still works (%d)", ret);
	close(fd);
	return wd_exit();
}
