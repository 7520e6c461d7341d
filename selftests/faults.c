// SPDX-License-Identifier: GPL-2.0
/*
 * Operands that are not there: NULL, unmapped, a read-only destination,
 * and a page unmapped in the middle of a buffer. Each must complete with
 * -EFAULT, record how far it got (batch and ioctl records), and write
 * nothing beyond that point. Also: one bad descriptor in a batch fails
 * only itself, batch and descriptor validation, and the length limit.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "wd_ref.h"
#include "wd_uring.h"

static int fd;
static const char *dev;
static struct io_uring ring;
static long page;

static int submit_sqe_op(const struct wd_desc *d)
{
	io_uring_prep_accel_cmd(io_uring_get_sqe(&ring), fd,
				WD_CMD(WD_CLASS_OP, d->op), d->flags, d->addr,
				d->len, d->addr2, d->arg);
	return wd_submit_wait1(&ring, NULL, NULL);
}

static int submit_batch(struct wd_desc *d, unsigned int n)
{
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd, d, n);
	return wd_submit_wait1(&ring, NULL, NULL);
}

/*
 * COPY from a buffer whose third page is unmapped: the first two pages
 * arrive, nothing after them is written, and the record says 2 pages.
 */
static void test_hole(const char *how, int inline_mode)
{
	uint8_t *s = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *d = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct wd_desc desc;
	int res, ok, i;

	wd_sysfs_write(dev, "inline_max", inline_mode ? (1 << 30) : 0);
	ref_random_fill(s, 4 * page, 3);
	memset(d, 0xee, 4 * page);
	munmap(s + 2 * page, page);

	wd_desc_copy(&desc, d, s, 4 * page);
	res = submit_batch(&desc, 1);
	ok = res == 0 && desc.status == -EFAULT &&
	     desc.done == 2 * page && !memcmp(d, s, 2 * page);
	for (i = 2 * page; i < 4 * page && ok; i++)
		ok = d[i] == 0xee;
	if (!ok)
		wd_diag("res %d status %d done %u", res, desc.status,
			desc.done);
	wd_ok(ok, "%s: COPY over a hole stops at it, records it, writes nothing after",
	      how);

	/* the same through the ioctl */
	memset(d, 0xee, 4 * page);
	wd_desc_copy(&desc, d, s, 4 * page);
	res = io_uring_accel_submit_sync(fd, &desc);
	ok = res == -EFAULT && desc.status == -EFAULT &&
	     desc.done == 2 * page && !memcmp(d, s, 2 * page) &&
	     d[2 * page] == 0xee && d[4 * page - 1] == 0xee;
	if (!ok)
		wd_diag("res %d status %d done %u", res, desc.status,
			desc.done);
	wd_ok(ok, "%s: the ioctl reports the same", how);

	/* and as an SQE: only the errno is reported */
	wd_desc_copy(&desc, d, s, 4 * page);
	res = submit_sqe_op(&desc);
	wd_ok(res == -EFAULT, "%s: an SQE COPY over a hole gives -EFAULT (%d)",
	      how, res);
	munmap(s, 4 * page);
	munmap(d, 4 * page);
}

/*
 * A destination fault: done is what every destination holds, counted as
 * the op counts it, and nothing is written that done does not cover (for
 * a backward COPY, which counts from the end, nothing before the tail it
 * reports). @how: "engine" (batch, inline_max 0) or "inline" (ioctl,
 * inline_max past the length: run in the caller, faults taken there).
 */
static int run_one(struct wd_desc *d, int inline_mode)
{
	wd_sysfs_write(dev, "inline_max", inline_mode ? (1 << 30) : 0);
	if (inline_mode)
		return io_uring_accel_submit_sync(fd, d) == -EFAULT ? 0 : -1;
	return submit_batch(d, 1);
}

static void test_dest_faults(const char *how, int inline_mode)
{
	size_t len = 3 * page;
	uint8_t *m = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *src = m, *d1 = m + 3 * page, *d2 = m + 6 * page;
	uint8_t orig[3 * 4096 + 200];
	struct wd_desc desc;
	int res, which, ok;

	if (m == MAP_FAILED || page != 4096) {
		for (which = 0; which < 4; which++)
			wd_skip("no memory, or not 4 KiB pages",
				"%s: destination faults", how);
		return;
	}
	/* DUALCAST with either destination's second page read-only */
	for (which = 1; which <= 2; which++) {
		uint8_t *bad = which == 1 ? d1 : d2;

		mprotect(m, 8 * page, PROT_READ | PROT_WRITE);
		ref_random_fill(src, len, 7 + which);
		memset(d1, 0xee, len);
		memset(d2, 0xee, len);
		mprotect(bad + page, page, PROT_READ);
		wd_desc_dualcast(&desc, d1, d2, src, len);
		res = run_one(&desc, inline_mode);
		ok = res == 0 && desc.status == -EFAULT &&
		     desc.done == page && !memcmp(d1, src, page) &&
		     !memcmp(d2, src, page);
		if (!ok)
			wd_diag("res %d status %d done %u", res, desc.status,
				desc.done);
		wd_ok(ok, "%s: DUALCAST with destination %d read-only after a page: done %u",
		      how, which, desc.done);
	}

	/*
	 * memmove one way: src [3000, 11000), dst 100 bytes up (backward).
	 * First the tail of dst read-only: nothing is written at all.
	 */
	mprotect(m, 8 * page, PROT_READ | PROT_WRITE);
	ref_random_fill(m, 3 * page, 11);
	memcpy(orig, m + 3000, sizeof(orig) - 200);
	mprotect(m + 2 * page, page, PROT_READ);
	wd_desc_copy(&desc, m + 3100, m + 3000, 8000);
	res = run_one(&desc, inline_mode);
	ok = res == 0 && desc.status == -EFAULT && desc.done == 0 &&
	     !memcmp(m + 3000, orig, 2 * page - 3000);
	if (!ok)
		wd_diag("res %d status %d done %u", res, desc.status,
			desc.done);
	wd_ok(ok, "%s: backward COPY whose last page is read-only: done %u, nothing written",
	      how, desc.done);

	/* then the head of dst read-only: the tail is written, and counted */
	mprotect(m, 8 * page, PROT_READ | PROT_WRITE);
	ref_random_fill(m, 3 * page, 12);
	memcpy(orig, m + 3000, 8000);
	mprotect(m, page, PROT_READ);
	wd_desc_copy(&desc, m + 3100, m + 3000, 8000);
	res = run_one(&desc, inline_mode);
	ok = res == 0 && desc.status == -EFAULT &&
	     desc.done == 3100 + 8000 - page &&
	     !memcmp(m + page, orig + page - 3100, desc.done);
	if (!ok)
		wd_diag("res %d status %d done %u", res, desc.status,
			desc.done);
	wd_ok(ok, "%s: backward COPY whose first page is read-only: done %u, the tail it counts",
	      how, desc.done);
	munmap(m, 8 * page);
}

/*
 * A batch whose descriptor array is not mapped in yet (written through a
 * file, mapped, never touched): the issue path, which takes no faults,
 * leaves it to the engine, which has the submitter fault it in. It runs
 * like any batch.
 */
static void test_batch_array_absent(void)
{
	static uint8_t a[2][64], b[2][64];
	struct wd_desc d[2], *md;
	int mfd = memfd_create("wd-descs", MFD_CLOEXEC), res, i;

	for (i = 0; i < 2; i++) {
		memset(a[i], 0x40 + i, 64);
		memset(b[i], 0, 64);
		wd_desc_copy(&d[i], b[i], a[i], 64);
	}
	if (mfd < 0 || pwrite(mfd, d, sizeof(d), 0) != sizeof(d)) {
		wd_skip("no memfd", "batch array not mapped in yet");
		return;
	}
	md = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	wd_sysfs_write(dev, "inline_max", 1 << 20);
	res = md == MAP_FAILED ? -1 : submit_batch(md, 2);
	wd_ok(res == 2 && !md[0].status && !md[1].status &&
	      !memcmp(a, b, sizeof(a)),
	      "a batch whose descriptors are not mapped in yet runs whole (%d)",
	      res);
	if (md != MAP_FAILED)
		munmap(md, page);
	close(mfd);
}

static void test_bad_pointers(int inline_mode)
{
	const char *how = inline_mode ? "inline" : "engine";
	uint8_t *ro = mmap(NULL, page, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *gone = mmap(NULL, page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static uint8_t buf[4096];
	struct {
		const char *what;
		struct wd_desc d;
	} cases[6];
	unsigned int i;
	int res;

	munmap(gone, page);
	wd_sysfs_write(dev, "inline_max", inline_mode ? (1 << 30) : 0);
	wd_desc_copy(&cases[0].d, buf, NULL, 64);
	cases[0].what = "COPY from NULL";
	wd_desc_copy(&cases[1].d, NULL, buf, 64);
	cases[1].what = "COPY to NULL";
	wd_desc_copy(&cases[2].d, ro, buf, 64);
	cases[2].what = "COPY to a read-only page";
	wd_desc_fill(&cases[3].d, ro, 1, 64);
	cases[3].what = "FILL of a read-only page";
	wd_desc_crc32c(&cases[4].d, gone, 64, 0);
	cases[4].what = "CRC32C of an unmapped page";
	wd_desc_compare(&cases[5].d, buf, gone, 64);
	cases[5].what = "COMPARE with an unmapped page";

	for (i = 0; i < 6; i++) {
		res = submit_sqe_op(&cases[i].d);
		wd_ok(res == -EFAULT, "%s: %s gives -EFAULT (%d)", how,
		      cases[i].what, res);
	}
	wd_ok(ro[0] == 0 && ro[page - 1] == 0,
	      "%s: the read-only page is untouched", how);
	munmap(ro, page);
}

/*
 * Pages that are not there yet are faulted in, as a PRI-capable device's
 * page requests would be: never-touched anonymous memory on both sides,
 * and a shared file mapping whose pages are only in the page cache.
 */
static void test_fault_in(void)
{
	uint8_t *s = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *d = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[] = "/tmp/wd-faults-XXXXXX";
	int tfd = mkstemp(path), res, i, ok;
	uint8_t *f;
	struct wd_desc desc;

	wd_desc_copy(&desc, d, s, 8 * page);
	res = submit_sqe_op(&desc);
	for (ok = 1, i = 0; i < 8 * page && ok; i++)
		ok = d[i] == 0;
	wd_ok(res == 8 * page && ok,
	      "COPY between never-touched pages faults them in (%d)", res);

	unlink(path);
	if (tfd < 0 || ftruncate(tfd, 8 * page)) {
		wd_ok(0, "temporary file");
		return;
	}
	ref_random_fill(d, 8 * page, 5);
	if (pwrite(tfd, d, 8 * page, 0) != 8 * page) {
		wd_ok(0, "temporary file");
		return;
	}
	f = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_SHARED, tfd, 0);
	memset(s, 0, 8 * page);
	wd_desc_crc32c(&desc, f, 8 * page, 0);
	res = submit_batch(&desc, 1);
	wd_ok(res == 1 && desc.result == ref_crc32c(0, d, 8 * page),
	      "CRC32C of a file mapping faults its pages in (%d)", res);
	munmap(f, 8 * page);
	close(tfd);
	munmap(s, 8 * page);
	munmap(d, 8 * page);
}

/*
 * Is the page at @p mapped in this process? -1 when /proc/self/pagemap
 * cannot tell.
 */
static int page_present(const void *p)
{
	uint64_t entry = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY);
	off_t at = (uintptr_t)p / page * sizeof(entry);
	int ret = -1;

	if (pm < 0)
		return -1;
	if (pread(pm, &entry, sizeof(entry), at) == sizeof(entry))
		ret = !!(entry >> 63);
	close(pm);
	return ret;
}

/*
 * An engine reads a COPY's source where it lies while its pages are
 * present, and through its buffer (faulting them in) where they are not:
 * a file mapping's source whose pages alternate between mapped and not
 * (touched, then every other one dropped with MADV_DONTNEED; the page
 * cache keeps the data) switches between the two ways page by page.
 * COPY, COPY_CRC32C and DUALCAST must all come out byte for byte, with
 * the CRC of the whole source, from any starting offset.
 */
static void test_mixed_source(void)
{
	size_t len = 11 * page + 300;
	uint8_t *ref = malloc(len + page), *f, *d1, *d2;
	char path[] = "/tmp/wd-faults-XXXXXX";
	int tfd = mkstemp(path), op, ok = 1, dropped;
	struct wd_desc desc;
	unsigned int off;

	unlink(path);
	d1 = mmap(NULL, 2 * (len + page), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	d2 = d1 + len + page;
	if (!ref || tfd < 0 || d1 == MAP_FAILED ||
	    ftruncate(tfd, len + page)) {
		wd_ok(0, "memory and a temporary file");
		return;
	}
	ref_random_fill(ref, len + page, 21);
	if (pwrite(tfd, ref, len + page, 0) != (ssize_t)(len + page)) {
		wd_ok(0, "temporary file");
		return;
	}
	for (op = 0; op < 3 && ok; op++)
		for (off = 0; off < 3 && ok; off++) {
			unsigned int start = off * 1000, i;
			int res;

			/* a fresh mapping: every other page mapped */
			f = mmap(NULL, len + page, PROT_READ, MAP_SHARED, tfd, 0);
			if (f == MAP_FAILED) {
				ok = 0;
				break;
			}
			for (i = 0; i < len + page; i += page)
				ok &= f[i] == ref[i];
			/*
			 * Checked where the kernel can do both: a minimal one
			 * may lack madvise() or pagemap (the debug tier's).
			 */
			dropped = 1;
			for (i = page; i < len + page; i += 2 * page)
				dropped &= !madvise(f + i, page, MADV_DONTNEED);
			for (i = 0; i < len + page && ok && dropped; i += page) {
				int present = page_present(f + i);

				ok = present < 0 || present == !(i / page % 2);
			}
			if (!ok)
				wd_diag("the source's pages are not half present");
			memset(d1, 0xee, 2 * (len + page));
			if (op == 0)
				wd_desc_copy(&desc, d1, f + start, len);
			else if (op == 1)
				wd_desc_copy_crc32c(&desc, d1, f + start, len, 0);
			else
				wd_desc_dualcast(&desc, d1, d2, f + start, len);
			res = submit_batch(&desc, 1);
			ok &= res == 1 && desc.status == 0 && desc.done == len &&
			      !memcmp(d1, ref + start, len) && d1[len] == 0xee;
			if (op == 1)
				ok &= desc.result == ref_crc32c(0, ref + start, len);
			if (op == 2)
				ok &= !memcmp(d2, ref + start, len);
			if (!ok)
				wd_diag("op %d offset %u: res %d status %d done %u",
					op, start, res, desc.status, desc.done);
			munmap(f, len + page);
		}
	wd_ok(ok, "engine: COPY, COPY_CRC32C, DUALCAST from a source half present, half not");
	close(tfd);
	munmap(d1, 2 * (len + page));
	free(ref);
}

/* One bad descriptor among good ones fails only itself. */
static void test_batch_one_bad(void)
{
	static uint8_t a[8][256], b[8][256];
	struct wd_desc d[8];
	int i, res, ok = 1;

	for (i = 0; i < 8; i++) {
		ref_random_fill(a[i], 256, i);
		memset(b[i], 0, 256);
		wd_desc_copy(&d[i], b[i], a[i], 256);
		d[i].status = 12345;	/* the kernel must overwrite it */
	}
	d[3].op = WD_OP_END;			/* unknown op */
	d[5].__resv1 = 1;			/* reserved field set */
	wd_desc_copy(&d[6], b[6], NULL, 256);	/* faults */
	res = submit_batch(d, 8);
	for (i = 0; i < 8; i++) {
		int want = i == 3 || i == 5 ? -EINVAL : i == 6 ? -EFAULT : 0;

		if (d[i].status != want ||
		    (!want && (d[i].done != 256 || memcmp(a[i], b[i], 256)))) {
			wd_diag("descriptor %d: status %d (want %d) done %u", i,
				d[i].status, want, d[i].done);
			ok = 0;
		}
	}
	wd_ok(ok && res == 5,
	      "a batch with three bad descriptors: res %d, each record right",
	      res);
}

/*
 * With inline_max at 4 KiB, a batch of small, large, small descriptors
 * runs its head in the issue path and the rest on the engine: the CQE
 * still counts every success and every record is written.
 */
static void test_batch_split(void)
{
	static uint8_t a[6][65536], b[6][65536];
	static const unsigned int lens[6] = { 64, 4096, 65536, 64, 0, 100 };
	long long sub0 = wd_sysfs_read(dev, "submitted");
	struct wd_desc d[6];
	int i, res, ok = 1;

	wd_sysfs_write(dev, "inline_max", 4096);
	for (i = 0; i < 6; i++) {
		ref_random_fill(a[i], lens[i], 100 + i);
		memset(b[i], 0, lens[i]);
		wd_desc_copy(&d[i], b[i], a[i], lens[i]);
	}
	res = submit_batch(d, 6);
	for (i = 0; i < 6; i++)
		if (d[i].status || d[i].done != lens[i] ||
		    memcmp(a[i], b[i], lens[i])) {
			wd_diag("descriptor %d: status %d done %u", i,
				d[i].status, d[i].done);
			ok = 0;
		}
	/* one submission: counted once whether split or not */
	wd_ok(ok && res == 6 && wd_sysfs_read(dev, "submitted") - sub0 == 1,
	      "a batch split between the issue path and the engine: res %d",
	      res);
	wd_sysfs_write(dev, "inline_max", 0);
}

static void test_validation(void)
{
	static uint8_t buf[256];
	struct wd_desc d;
	struct {
		const char *what;
		__u32 cmd_op;
		__u32 flags;
		__u64 addr;
		__u32 len;
		__u64 addr2, arg;
		int want;
	} cases[] = {
		{ "batch of 0", WD_CMD_BATCH, 0, (__u64)(unsigned long)&d, 0,
		  0, 0, -EINVAL },
		{ "batch over WD_BATCH_MAX", WD_CMD_BATCH, 0,
		  (__u64)(unsigned long)&d, WD_BATCH_MAX + 1, 0, 0, -EINVAL },
		{ "batch with flags", WD_CMD_BATCH, 1U << 16,
		  (__u64)(unsigned long)&d, 1, 0, 0, -EINVAL },
		{ "batch with an argument", WD_CMD_BATCH, 0,
		  (__u64)(unsigned long)&d, 1, 0, 1, -EINVAL },
		{ "batch number 1", WD_CMD(WD_CLASS_BATCH, 1), 0,
		  (__u64)(unsigned long)&d, 1, 0, 0, -EINVAL },
		{ "batch array unreadable", WD_CMD_BATCH, 0, 8, 1, 0, 0,
		  -EFAULT },
		{ "CRC32C seed over 32 bits", WD_CMD_CRC32C, 0,
		  (__u64)(unsigned long)buf, 16, 0, 1ULL << 32, -EINVAL },
		{ "COPY with an argument", WD_CMD_COPY, 0,
		  (__u64)(unsigned long)buf, 16, (__u64)(unsigned long)buf + 64,
		  1, -EINVAL },
		{ "FILL with a second address", WD_CMD_FILL, 0,
		  (__u64)(unsigned long)buf, 16, 8, 0, -EINVAL },
		{ "DUALCAST onto its source", WD_CMD_DUALCAST, 0,
		  (__u64)(unsigned long)buf, 64, (__u64)(unsigned long)buf + 32,
		  (__u64)(unsigned long)buf + 128, -EINVAL },
		{ "DUALCAST destinations overlapping", WD_CMD_DUALCAST, 0,
		  (__u64)(unsigned long)buf, 64, (__u64)(unsigned long)buf + 64,
		  (__u64)(unsigned long)buf + 96, -EINVAL },
		{ "COPY_CRC32C onto its source", WD_CMD_COPY_CRC32C, 0,
		  (__u64)(unsigned long)buf, 64, (__u64)(unsigned long)buf + 8,
		  0, -EINVAL },
		{ "COPY over max_len", WD_CMD_COPY, 0,
		  (__u64)(unsigned long)buf, 0, (__u64)(unsigned long)buf, 0,
		  -EINVAL },
		{ "COPY with an unknown flag", WD_CMD_COPY, 1U << 16,
		  (__u64)(unsigned long)buf, 16, (__u64)(unsigned long)buf + 64,
		  0, -EINVAL },
	};
	unsigned int i;
	int res;

	cases[12].len = wd_sysfs_read(dev, "max_len") + 1;
	wd_desc_copy(&d, buf + 64, buf, 16);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		io_uring_prep_accel_cmd(io_uring_get_sqe(&ring), fd,
					cases[i].cmd_op, cases[i].flags,
					cases[i].addr, cases[i].len,
					cases[i].addr2, cases[i].arg);
		res = wd_submit_wait1(&ring, NULL, NULL);
		wd_ok(res == cases[i].want, "%s: %d (want %d)", cases[i].what,
		      res, cases[i].want);
	}
	/* the ioctl validates the same way */
	wd_desc_copy(&d, buf + 64, buf, 16);
	d.__resv0[1] = 1;
	res = io_uring_accel_submit_sync(fd, &d);
	wd_ok(res == -EINVAL && d.status == -EINVAL,
	      "ioctl: a descriptor with a reserved byte set: %d", res);
	res = ioctl(fd, _IO(WD_IOC_MAGIC, 0x7f)) < 0 ? -errno : 0;
	wd_ok(res == -ENOTTY, "an unknown ioctl gives -ENOTTY (%d)", res);
}

/* The longest request the device takes works and does not upset it. */
static void test_max_len(void)
{
	long long max = wd_sysfs_read(dev, "max_len");
	uint8_t *s, *d;
	struct wd_desc desc;
	int res;

	if (max <= 0 || max > (1LL << 30)) {
		wd_skip("max_len unusable here", "a max_len COPY");
		wd_skip("max_len unusable here", "small behind long");
		return;
	}
	s = mmap(NULL, max, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	d = mmap(NULL, max, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED || d == MAP_FAILED) {
		wd_skip("out of memory", "a max_len COPY");
		wd_skip("out of memory", "small behind long");
		return;
	}
	ref_random_fill(s + max - 4096, 4096, 9);
	wd_sysfs_write(dev, "inline_max", 0);
	wd_desc_copy(&desc, d, s, max);
	res = submit_batch(&desc, 1);
	wd_ok(res == 1 && desc.done == max &&
	      !memcmp(d + max - 4096, s + max - 4096, 4096),
	      "a %lld MiB COPY completes (res %d, done %u)", max >> 20, res,
	      desc.done);

	/*
	 * A small request submitted right behind a long one, on the same
	 * queue, must not wait for all of it: its CQE comes first.
	 */
	{
		static uint8_t small_src[64], small_dst[64];
		struct io_uring_cqe *cqe;
		__u64 first = 0;
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_accel_copy(sqe, fd, d, s, max);
		io_uring_sqe_set_data64(sqe, 1);
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_accel_copy(sqe, fd, small_dst, small_src,
					 sizeof(small_src));
		io_uring_sqe_set_data64(sqe, 2);
		io_uring_submit_and_wait(&ring, 2);
		if (!io_uring_wait_cqe(&ring, &cqe)) {
			first = cqe->user_data;
			io_uring_cqe_seen(&ring, cqe);
		}
		if (!io_uring_wait_cqe(&ring, &cqe))
			io_uring_cqe_seen(&ring, cqe);
		wd_ok(first == 2,
		      "a 64-byte COPY behind a %lld MiB one completes first",
		      max >> 20);
	}
	munmap(s, max);
	munmap(d, max);
}

int main(void)
{
	struct io_uring_params p = { 0 };
	long long saved;

	fd = wd_open_or_skip();
	dev = wd_test_device();
	page = sysconf(_SC_PAGESIZE);
	saved = wd_sysfs_read(dev, "inline_max");
	if (saved < 0)
		wd_skip_all("the device has no inline_max");
	if (io_uring_queue_init_params(8, &ring, &p))
		wd_skip_all("no ring");

	wd_plan(2 * 3 + 2 * 4 + 1 + 2 * 7 + 2 + 1 + 1 + 1 + 14 + 2 + 2);
	test_hole("engine", 0);
	test_hole("inline", 1);
	test_dest_faults("engine", 0);
	test_dest_faults("inline", 1);
	test_batch_array_absent();
	test_bad_pointers(0);
	test_bad_pointers(1);
	wd_sysfs_write(dev, "inline_max", 0);
	test_fault_in();
	test_mixed_source();
	test_batch_one_bad();
	test_batch_split();
	test_validation();
	test_max_len();
	wd_sysfs_write(dev, "inline_max", saved);
	io_uring_queue_exit(&ring);
	close(fd);
	return wd_exit();
}
