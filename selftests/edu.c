// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware path, on QEMU's edu PCI device (edu0): COPY through the
 * device's DMA engine behind the emulated IOMMU. Checks that
 *  - the device sits in its own IOMMU group with DMA translation on, and
 *    says it is a pinned-mode device that runs COPY only;
 *  - copies of several sizes and alignments, from plain and from io_uring
 *    registered buffers, give exactly the bytes soft0 gives (and memcpy),
 *    with nothing written around the destination;
 *  - bad operands fail with the documented errors, and the ioctl works;
 *  - a batch of SQEs rings one doorbell (on edu0, and on soft0 where every
 *    SQE would otherwise ring its own);
 *  - an IORING_SETUP_IOPOLL ring completes without a single interrupt;
 *  - a write sent to an unmapped bus address faults in the IOMMU (the
 *    kernel logs it for the device) and corrupts nothing; a lost
 *    interrupt fails its request with -ETIMEDOUT; the device works after;
 *  - unbinding the driver with requests in flight completes every one of
 *    them (done or -ENODEV), old files get -ENODEV, and binding again
 *    brings a working edu0 back.
 * Each 4 KiB takes the emulated engine 200 ms, so sizes stay small.
 */
#include <dirent.h>
#include <libgen.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define EDU		"edu0"
#define GUARD		64
#define GUARD_BYTE	0xa5
#define AREA		(64 * 1024)

static int efd, sfd;
static struct io_uring ring;

static const char *sysdir = "/sys/class/warpdrive/" EDU;

/* The PCI address of edu0 ("0000:00:03.0"), from its sysfs parent link. */
static int edu_bdf(char *bdf, size_t size)
{
	char path[256], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/device", sysdir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -errno;
	link[n] = '\0';
	snprintf(bdf, size, "%s", basename(link));
	return 0;
}

/* Interrupts the edu driver has taken, summed over the CPUs. */
static long long edu_irqs(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	long long sum = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (!strstr(line, "warpdrive_edu"))
			continue;
		p = strchr(line, ':');
		if (!p)
			break;
		sum = 0;
		for (p++;; p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
		break;
	}
	fclose(f);
	return sum;
}

/* One COPY on @fd through @r, optionally from registered buffer 0. */
static int copy_on(struct io_uring *r, int fd, void *d, const void *s,
		   unsigned int len, int fixed)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	io_uring_prep_accel_copy(sqe, fd, d, s, len);
	if (fixed)
		io_uring_sqe_set_accel_fixed(sqe, 0);
	return wd_submit_wait1(r, NULL, NULL);
}

static int guards_intact(const uint8_t *area, size_t before, size_t len)
{
	size_t i;

	for (i = before - GUARD; i < before; i++)
		if (area[i] != GUARD_BYTE)
			return 0;
	for (i = before + len; i < before + len + GUARD; i++)
		if (area[i] != GUARD_BYTE)
			return 0;
	return 1;
}

static int all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	while (len--)
		if (*p++ != v)
			return 0;
	return 1;
}

/*
 * The same copy on edu0 and on soft0: both must give memcpy's bytes and
 * leave the guards alone. @fixed: on edu0, from the registered buffer that
 * @src and @dst lie in.
 */
static void check_copy(uint8_t *src, uint8_t *edst, uint8_t *sdst,
		       unsigned int soff, unsigned int doff, unsigned int len,
		       int fixed)
{
	int eres, sres;

	ref_random_fill(src + soff, len, len * 31 + soff);
	memset(edst + doff - GUARD, GUARD_BYTE, len + 2 * GUARD);
	memset(sdst + doff - GUARD, GUARD_BYTE, len + 2 * GUARD);

	eres = copy_on(&ring, efd, edst + doff, src + soff, len, fixed);
	sres = copy_on(&ring, sfd, sdst + doff, src + soff, len, 0);
	wd_ok(eres == (int)len && sres == (int)len &&
	      !memcmp(edst + doff, src + soff, len) &&
	      !memcmp(edst + doff - GUARD, sdst + doff - GUARD,
		      len + 2 * GUARD) &&
	      guards_intact(edst, doff, len),
	      "%s copy of %u bytes (src +%u, dst +%u): edu0 %d, soft0 %d, same bytes",
	      fixed ? "registered-buffer" : "plain", len, soff, doff, eres,
	      sres);
}

static const struct { unsigned int soff, doff, len; } cases[] = {
	{ 0, GUARD, 1 },
	{ 3, GUARD + 5, 63 },
	{ 0, GUARD, 4096 },
	{ 1, 4095, 4097 },
	{ 100, GUARD + 7, 10000 },
	{ 0, 4096, 12288 },
};
#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static void test_copies(void)
{
	uint8_t *src = mmap(NULL, 3 * AREA, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *edst = src + AREA, *sdst = src + 2 * AREA;
	struct iovec iov = { .iov_base = src, .iov_len = 2 * AREA };
	unsigned int i;
	int ret;

	for (i = 0; i < NCASES; i++)
		check_copy(src, edst, sdst, cases[i].soff, cases[i].doff,
			   cases[i].len, 0);

	/* Source and edu0's destination in one registered buffer. */
	ret = io_uring_register_buffers(&ring, &iov, 1);
	wd_ok(ret == 0, "register a %d KiB buffer (%d)", 2 * AREA / 1024, ret);
	for (i = 0; i < NCASES; i += 2)
		check_copy(src, edst, sdst, cases[i].soff, cases[i].doff,
			   cases[i].len, 1);
	/* The destination outside the registered buffer. */
	ret = copy_on(&ring, efd, sdst, src, 64, 1);
	wd_ok(ret == -EFAULT, "registered buffer: an operand outside it gives -EFAULT (%d)",
	      ret);
	ret = copy_on(&ring, sfd, edst, src, 64, 1);
	wd_ok(ret == -EOPNOTSUPP,
	      "registered buffer on soft0 (not pinned mode): -EOPNOTSUPP (%d)",
	      ret);
	io_uring_unregister_buffers(&ring);
	munmap(src, 3 * AREA);
}

static void test_errors(void)
{
	uint8_t *buf = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *ro = buf + 4096, *hole = buf + 8192;
	struct io_uring_sqe *sqe;
	struct wd_desc d;
	int ret;

	memset(buf, 1, 4096);
	mprotect(ro, 4096, PROT_READ);
	munmap(hole, 4096);

	ret = copy_on(&ring, efd, buf, hole, 64, 0);
	wd_ok(ret == -EFAULT, "copy from an unmapped source: -EFAULT (%d)", ret);
	ret = copy_on(&ring, efd, ro, buf, 64, 0);
	wd_ok(ret == -EFAULT, "copy to a read-only page: -EFAULT (%d)", ret);
	ret = copy_on(&ring, efd, buf + 64, buf, 0, 0);
	wd_ok(ret == 0, "a 0-byte copy completes with 0 (%d)", ret);

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_fill(sqe, efd, buf, 0, 64);
	ret = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(ret == -EOPNOTSUPP, "FILL, which the device cannot do: -EOPNOTSUPP (%d)",
	      ret);

	wd_desc_copy(&d, buf + 128, buf, 64);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_batch(sqe, efd, &d, 1);
	ret = wd_submit_wait1(&ring, NULL, NULL);
	wd_ok(ret == -EOPNOTSUPP, "descriptor batches on a pinned device: -EOPNOTSUPP (%d)",
	      ret);

	ref_random_fill(buf, 256, 7);
	memset(buf + 1024, 0, 256);
	wd_desc_copy(&d, buf + 1024, buf, 256);
	ret = io_uring_accel_submit_sync(efd, &d);
	wd_ok(ret == 256 && wd_desc_status(&d) == 0 && wd_desc_done(&d) == 256 &&
	      !memcmp(buf + 1024, buf, 256),
	      "ioctl copy: 256 bytes, record status %d done %u (%d)",
	      wd_desc_status(&d), wd_desc_done(&d), ret);
	wd_desc_copy(&d, ro, buf, 64);
	ret = io_uring_accel_submit_sync(efd, &d);
	wd_ok(ret == -EFAULT && wd_desc_status(&d) == -EFAULT,
	      "ioctl copy to a read-only page: -EFAULT, in the record too (%d)",
	      ret);
	munmap(buf, 8192);

	/* memmove: overlapping one way works, the other is refused */
	buf = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		wd_skip("no memory", "overlapping copies");
		wd_skip("no memory", "overlapping copies");
		return;
	}
	{
		static uint8_t want[8192];
		uint8_t keep[8192];

		ref_random_fill(buf, 3 * 4096, 9);
		memcpy(want, buf + 1000, 8192);
		ret = copy_on(&ring, efd, buf, buf + 1000, 8192, 0);
		wd_ok(ret == 8192 && !memcmp(buf, want, 8192),
		      "overlapping COPY down (destination below the source): moved right (%d)",
		      ret);
		memcpy(keep, buf, sizeof(keep));
		ret = copy_on(&ring, efd, buf + 1000, buf, 8192, 0);
		wd_ok(ret == -EINVAL && !memcmp(buf, keep, sizeof(keep)),
		      "overlapping COPY up (destination inside the source): -EINVAL on a pinned device, nothing written (%d)",
		      ret);
	}
	munmap(buf, 3 * 4096);
}

/* Submit @n SQEs prepared by the caller in one io_uring_submit(), reap. */
static int submit_reap(struct io_uring *r, int n, int want)
{
	struct io_uring_cqe *cqe;
	int i, bad = 0;

	if (io_uring_submit(r) != n)
		return -1;
	for (i = 0; i < n; i++) {
		if (io_uring_wait_cqe(r, &cqe))
			return -1;
		if (cqe->res != want)
			bad++;
		io_uring_cqe_seen(r, cqe);
	}
	return bad;
}

static void test_doorbells(void)
{
	uint8_t *buf = malloc(8 * 128);
	long long before, after;
	int i, bad;

	/* soft0: without a batch, every SQE rings */
	before = wd_sysfs_read("soft0", "doorbells");
	for (i = 0; i < 4; i++) {
		wd_nop_sqe(&ring, sfd, 0, 0, 0);
		bad = submit_reap(&ring, 1, 0);
	}
	after = wd_sysfs_read("soft0", "doorbells");
	wd_ok(before >= 0 && after - before == 4,
	      "soft0: 4 NOPs submitted one by one ring 4 doorbells (%lld)",
	      after - before);

	before = wd_sysfs_read("soft0", "doorbells");
	for (i = 0; i < 32; i++)
		wd_nop_sqe(&ring, sfd, 0, 0, 0);
	bad = submit_reap(&ring, 32, 0);
	after = wd_sysfs_read("soft0", "doorbells");
	wd_ok(bad == 0 && after - before == 1,
	      "soft0: a batch of 32 NOPs rings 1 doorbell (%lld)",
	      after - before);

	ref_random_fill(buf, 4 * 128, 3);
	before = wd_sysfs_read(EDU, "doorbells");
	for (i = 0; i < 4; i++)
		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), efd,
					 buf + 512 + i * 128, buf + i * 128, 128);
	bad = submit_reap(&ring, 4, 128);
	after = wd_sysfs_read(EDU, "doorbells");
	wd_ok(bad == 0 && after - before == 1 && !memcmp(buf, buf + 512, 512),
	      "edu0: a batch of 4 copies rings 1 doorbell (%lld)",
	      after - before);
	free(buf);
}

static void test_iopoll(void)
{
	struct io_uring pring;
	uint8_t *buf = malloc(3 * 8192);
	long long irqs, before;
	int ret;

	ret = io_uring_queue_init(8, &pring, IORING_SETUP_IOPOLL);
	if (ret) {
		wd_ok(0, "IOPOLL ring (%d)", ret);
		wd_ok(0, "IOPOLL ring on soft0");
		free(buf);
		return;
	}
	ref_random_fill(buf, 8192, 11);
	before = wd_sysfs_read(EDU, "dmas");
	irqs = edu_irqs();
	ret = copy_on(&pring, efd, buf + 8192, buf, 8192, 0);
	wd_ok(ret == 8192 && !memcmp(buf, buf + 8192, 8192) &&
	      edu_irqs() == irqs && wd_sysfs_read(EDU, "dmas") - before >= 4,
	      "IOPOLL: 8 KiB in %lld transfers, polled, %lld interrupts (%d)",
	      wd_sysfs_read(EDU, "dmas") - before, edu_irqs() - irqs, ret);

	ret = copy_on(&pring, sfd, buf + 16384, buf, 8192, 0);
	wd_ok(ret == 8192 && !memcmp(buf, buf + 16384, 8192),
	      "IOPOLL ring on soft0 (%d)", ret);
	io_uring_queue_exit(&pring);
	free(buf);
}

/* Did the kernel log an IOMMU fault at bus address 0 for @bdf? */
static int iommu_fault_logged(int kmsg, const char *bdf)
{
	char rec[1024], devid[32];
	int i;

	/* the log names the device bus:dev.fn, without the domain */
	snprintf(devid, sizeof(devid), "%s", strchr(bdf, ':') + 1);
	for (i = 0; i < 200; i++) {
		ssize_t n = read(kmsg, rec, sizeof(rec) - 1);

		if (n < 0) {
			if (errno == EAGAIN) {
				usleep(10000);
				continue;
			}
			if (errno == EPIPE)
				continue;
			return 0;
		}
		rec[n] = '\0';
		if (strstr(rec, "DMAR") && strstr(rec, devid) &&
		    strstr(rec, "fault addr 0x0 ")) {
			rec[strcspn(rec, "\n")] = '\0';
			wd_diag("%s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			return 1;
		}
	}
	return 0;
}

static void test_faults(const char *bdf)
{
	uint8_t *buf = malloc(3 * 4096);
	char path[256], group[256], type[32];
	int kmsg, ret;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/device/iommu_group/type", sysdir);
	ret = wd_read_str(path, type, sizeof(type));
	snprintf(path, sizeof(path), "%s/device/iommu_group", sysdir);
	n = readlink(path, group, sizeof(group) - 1);
	group[n > 0 ? n : 0] = '\0';
	wd_ok(!ret && !strncmp(type, "DMA", 3),
	      "edu0 (%s) is in IOMMU group %s, domain type %s (translating)",
	      bdf, basename(group), ret ? "?" : type);

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	ref_random_fill(buf, 4096, 5);
	memset(buf + 4096, GUARD_BYTE, 4096);
	ret = wd_write_str("/sys/class/warpdrive/" EDU "/inject", "iommu_fault");
	if (!ret)
		ret = copy_on(&ring, efd, buf + 4096, buf, 4096, 0);
	wd_ok(ret == -EIO && all_bytes(buf + 4096, 4096, GUARD_BYTE),
	      "a write to an unmapped bus address: -EIO, destination untouched (%d)",
	      ret);
	wd_ok(kmsg >= 0 && iommu_fault_logged(kmsg, bdf),
	      "the IOMMU refused it and logged the fault for %s", bdf);
	if (kmsg >= 0)
		close(kmsg);

	ret = wd_write_str("/sys/class/warpdrive/" EDU "/inject", "lost_irq");
	if (!ret)
		ret = copy_on(&ring, efd, buf + 4096, buf, 64, 0);
	wd_ok(ret == -ETIMEDOUT, "a transfer whose interrupt never comes: -ETIMEDOUT (%d)",
	      ret);

	memset(buf + 8192, 0, 4096);
	ret = copy_on(&ring, efd, buf + 8192, buf, 4096, 0);
	wd_ok(ret == 4096 && !memcmp(buf, buf + 8192, 4096),
	      "the device works after both (%d)", ret);
	free(buf);
}

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void test_unbind(const char *bdf)
{
	/*
	 * 16 copies of 16 KiB take the device 13 s (100 ms a transfer), so
	 * however slowly this machine gets to the unbind, some still wait.
	 */
	const int n = 16, len = 16384;
	uint8_t *buf = malloc((n + 1) * len);
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_cqe *cqe;
	int i, done = 0, enodev = 0, other = 0, ret, fd;
	char res[16 * 8] = "";

	ref_random_fill(buf, len, 9);
	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_accel_copy(sqe, efd, buf + (i + 1) * len, buf,
					 len);
		sqe->user_data = i;
	}
	ret = io_uring_submit(&ring);
	/* the first request is on the engine, the rest wait behind it */
	usleep(300 * 1000);
	ret = wd_write_str("/sys/bus/pci/drivers/warpdrive_edu/unbind", bdf);
	wd_ok(ret == 0, "unbind %s with %d copies in flight (%d)", bdf, n, ret);

	for (i = 0; i < n; i++) {
		if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
			break;
		if (cqe->res == len &&
		    !memcmp(buf, buf + (cqe->user_data + 1) * len, len))
			done++;
		else if (cqe->res == -ENODEV)
			enodev++;
		else
			other++;
		snprintf(res + strlen(res), sizeof(res) - strlen(res), " %d",
			 cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	wd_ok(done + enodev == n && !other && enodev > 0,
	      "every one completed: %d done, %d -ENODEV (%s )", done, enodev,
	      res);

	ret = copy_on(&ring, efd, buf + len, buf, 64, 0);
	wd_ok(ret == -ENODEV && !exists("/dev/warpdrive/" EDU),
	      "the old file gets -ENODEV and the node is gone (%d)", ret);

	ret = wd_write_str("/sys/bus/pci/drivers/warpdrive_edu/bind", bdf);
	for (i = 0; i < 100 && !exists("/dev/warpdrive/" EDU); i++)
		usleep(10000);
	fd = io_uring_accel_open(EDU, O_RDWR);
	wd_ok(ret == 0 && fd >= 0, "bind again: edu0 is back (%d, %d)", ret,
	      fd);
	memset(buf + len, 0, 4096);
	ret = fd >= 0 ? copy_on(&ring, fd, buf + len, buf, 4096, 0) : fd;
	wd_ok(ret == 4096 && !memcmp(buf, buf + len, 4096),
	      "a copy on the rebound device (%d)", ret);
	close(efd);
	efd = fd;
	free(buf);
}

int main(void)
{
	struct wd_features f;
	char bdf[64], flags[64];
	int ret;

	efd = io_uring_accel_open(EDU, O_RDWR);
	if (efd < 0)
		wd_skip_all("no edu0 (QEMU's edu device and warpdrive_edu)");
	sfd = io_uring_accel_open("soft0", O_RDWR);
	if (sfd < 0)
		wd_skip_all("soft0 is needed to compare with");
	if (edu_bdf(bdf, sizeof(bdf)))
		wd_skip_all("edu0 has no PCI parent in sysfs");
	if (io_uring_queue_init(64, &ring, 0))
		wd_skip_all("no io_uring");

	wd_plan(4 + NCASES + (NCASES + 1) / 2 + 3 + 9 + 3 + 2 + 5 + 5);

	ret = io_uring_accel_probe(efd, &f);
	wd_ok(ret == 0 && f.ops == (1ULL << WD_OP_COPY) &&
	      f.dev_flags == WD_DEV_F_PINNED && f.max_len == (1u << 20),
	      "features: COPY only, pinned mode, max_len %llu (%d)",
	      (unsigned long long)f.max_len, ret);
	ret = wd_read_str("/sys/class/warpdrive/" EDU "/flags", flags,
		       sizeof(flags));
	wd_ok(!ret && !strcmp(flags, "pinned"), "sysfs flags: %s", flags);
	ret = wd_read_str("/sys/class/warpdrive/" EDU "/driver", flags,
		       sizeof(flags));
	wd_ok(!ret && !strcmp(flags, "edu"), "sysfs driver: %s", flags);
	wd_ok(edu_irqs() >= 0, "the driver has its interrupt (%lld so far)",
	      edu_irqs());

	test_copies();
	test_errors();
	test_doorbells();
	test_iopoll();
	test_faults(bdf);
	test_unbind(bdf);

	close(efd);
	close(sfd);
	io_uring_queue_exit(&ring);
	return wd_exit();
}
