// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures on the request path, one at a time, everywhere.
 * With the kernel's fault injection (failslab and fail_page_alloc, made to
 * include sleeping allocations), /proc/thread-self/fail-nth makes the Nth
 * allocation of this thread's next system calls fail. Each scenario is run
 * with N = 1, 2, 3, ... until a run no longer reaches an N-th allocation,
 * so every allocation on its path fails once: io_uring's, the core's
 * (pinned-mode mappings, plug callbacks), the drivers' (bounce buffers,
 * sg tables, IOMMU page tables; crypto0's requests, keys and compression,
 * the crypto API's transforms). Each request must then fail cleanly with
 * -ENOMEM or -EAGAIN, or succeed with the right bytes; nothing may hang
 * or leak (kmemleak runs after the suite), and the device must work after.
 * Needs a kernel with fault injection (the debug tier) and root.
 */
#include <limits.h>
#include <sys/mman.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define MAX_N	400

static int fail_nth_fd = -1;

static int arm(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/* 0 once the armed failure has happened; what is left of N otherwise. */
static int disarm(void)
{
	char buf[16] = "";
	int left;

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	left = atoi(buf);
	arm(0);
	return left;
}

/*
 * Both injectors: whether sleeping (and highmem) allocations are spared,
 * and how loud an injected failure is. Quiet while this runs: a stack
 * trace on the console would read as a kernel report to the lab.
 */
static int fault_attrs(const char *ignore, const char *verbose)
{
	static const char *const dirs[] = {
		"/sys/kernel/debug/failslab",
		"/sys/kernel/debug/fail_page_alloc",
	};
	char path[256];
	int i, ret = 0;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/ignore-gfp-wait", dirs[i]);
		ret |= wd_write_str(path, ignore);
		snprintf(path, sizeof(path), "%s/verbose", dirs[i]);
		ret |= wd_write_str(path, verbose);
	}
	snprintf(path, sizeof(path), "%s/ignore-gfp-highmem", dirs[1]);
	ret |= wd_write_str(path, ignore);
	return ret;
}

struct scenario {
	const char *name;
	int fd;
	unsigned int nr;	/* SQEs per submission */
	unsigned int len;	/* bytes per COPY */
};

static uint8_t *src, *dst;

/*
 * One scenario with every allocation failing in turn. Returns the number
 * of injected failures; *bad counts unclean outcomes.
 */
static int run(const struct scenario *sc, int *bad, int *ok_runs)
{
	struct __kernel_timespec ts = { .tv_sec = 20 };
	int n, injected = 0;

	for (n = 1; n <= MAX_N; n++) {
		struct io_uring_cqe *cqe;
		struct io_uring ring;
		unsigned int i;
		int ret, left, seen = 0;

		if (io_uring_queue_init(8, &ring, 0)) {
			(*bad)++;
			break;
		}
		ref_random_fill(src, sc->nr * sc->len, n);
		memset(dst, 0, sc->nr * sc->len);
		for (i = 0; i < sc->nr; i++)
			io_uring_prep_accel_copy(io_uring_get_sqe(&ring), sc->fd,
						 dst + i * sc->len,
						 src + i * sc->len, sc->len);
		arm(n);
		ret = io_uring_submit(&ring);
		left = disarm();
		if (ret < 0 && ret != -ENOMEM && ret != -EAGAIN) {
			wd_diag("%s, N=%d: submit %d", sc->name, n, ret);
			(*bad)++;
		}
		for (i = 0; ret > 0 && i < (unsigned int)ret; i++) {
			if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts)) {
				wd_diag("%s, N=%d: no CQE", sc->name, n);
				(*bad)++;
				break;
			}
			if (cqe->res == (int)sc->len)
				(*ok_runs)++;
			else if (cqe->res != -ENOMEM && cqe->res != -EAGAIN) {
				wd_diag("%s, N=%d: CQE res %d", sc->name, n,
					cqe->res);
				(*bad)++;
			}
			seen++;
			io_uring_cqe_seen(&ring, cqe);
		}
		/* the copies that succeeded copied the right bytes */
		for (i = 0; i < sc->nr && seen == (int)sc->nr; i++)
			if (dst[i * sc->len] && memcmp(dst + i * sc->len,
						       src + i * sc->len,
						       sc->len)) {
				wd_diag("%s, N=%d: wrong bytes", sc->name, n);
				(*bad)++;
			}
		io_uring_queue_exit(&ring);
		if (left != 0)
			break;		/* nothing left to fail on this path */
		injected++;
	}
	return injected;
}

#define NO_CQE	INT_MIN

/*
 * Submit the one request prepared on @ring with the @n-th allocation set
 * to fail; *@left is what disarm() says. Returns the CQE's result, the
 * submission's error, or NO_CQE when none came within 20 s.
 */
static int submit_armed(struct io_uring *ring, int n, int *left)
{
	struct __kernel_timespec ts = { .tv_sec = 20 };
	struct io_uring_cqe *cqe;
	int ret;

	arm(n);
	ret = io_uring_submit(ring);
	*left = disarm();
	if (ret != 1)
		return ret;
	if (io_uring_wait_cqe_timeout(ring, &cqe, &ts))
		return NO_CQE;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/*
 * crypto0, every allocation failing in turn: an AES-GCM encryption (tag
 * pinned at issue), a decryption (bounce pages, in the submitter's task
 * work), and loading a key (the crypto API's own allocations too). Each
 * fails with -ENOMEM or -EAGAIN or does its work right.
 */
enum { CR_ENC, CR_DEC, CR_KEY };

static int run_crypto(int cfd, int kind, int *bad, int *ok_runs)
{
	static const uint8_t key[16] = { 1, 2, 3 }, iv[12] = { 4, 5 };
	uint8_t tag[16], ctag[16], otag[16];
	int n, h, injected = 0, ret, left;
	struct io_uring ring;
	struct wd_crypt p;

	h = io_uring_accel_key_add(cfd, "gcm(aes)", key, 16, 0, NULL);
	if (h < 0 || io_uring_queue_init(8, &ring, 0)) {
		(*bad)++;
		return 0;
	}
	/* the reference: the ciphertext and tag, without injection */
	ref_random_fill(src, 4096, 7);
	wd_crypt_prep(&p, h, iv, 12, NULL, 0, ctag);
	io_uring_prep_accel_encrypt(io_uring_get_sqe(&ring), cfd, dst, src,
				    4096, &p);
	if (wd_submit_wait1(&ring, NULL, NULL) != 4096)
		(*bad)++;
	memcpy(src + 8192, dst, 4096);

	for (n = 1; n <= MAX_N; n++) {
		memset(dst + 4096, 0, 4096);
		if (kind == CR_KEY) {
			arm(n);
			ret = io_uring_accel_key_add(cfd, "gcm(aes)", key, 16,
						     0, NULL);
			left = disarm();
			if (ret > 0) {
				(*ok_runs)++;
				io_uring_accel_key_remove(cfd, ret);
			} else if (ret != -ENOMEM && ret != -EAGAIN) {
				wd_diag("key add, N=%d: %d", n, ret);
				(*bad)++;
			}
		} else {
			int enc = kind == CR_ENC;

			wd_crypt_prep(&p, h, iv, 12, NULL, 0, enc ? tag : ctag);
			if (enc)
				io_uring_prep_accel_encrypt(io_uring_get_sqe(&ring),
							    cfd, dst + 4096,
							    src, 4096, &p);
			else
				io_uring_prep_accel_decrypt(io_uring_get_sqe(&ring),
							    cfd, dst + 4096,
							    src + 8192, 4096,
							    &p);
			ret = submit_armed(&ring, n, &left);
			if (ret == NO_CQE) {
				wd_diag("crypto %d, N=%d: no CQE", kind, n);
				(*bad)++;
				break;
			}
			memcpy(otag, enc ? tag : ctag, 16);
			if (ret == 4096 &&
			    !memcmp(dst + 4096, enc ? src + 8192 : src, 4096) &&
			    !memcmp(otag, ctag, 16))
				(*ok_runs)++;
			else if (ret != -ENOMEM && ret != -EAGAIN) {
				wd_diag("crypto %d, N=%d: res %d", kind, n, ret);
				(*bad)++;
			}
		}
		if (left != 0)
			break;		/* nothing left to fail on this path */
		injected++;
	}
	io_uring_queue_exit(&ring);
	io_uring_accel_key_remove(cfd, h);
	return injected;
}

/*
 * crypto0's compression, every allocation failing in turn, on requests
 * short enough to run in the issue path: a gzip COMPRESS, and a
 * DECOMPRESS of a truncated stream, which the provider fails and the CPU
 * probe then explains (-EBADMSG). Each fails with -ENOMEM or -EAGAIN or
 * gives the answer it gives without injection.
 */
enum { CZ_COMP, CZ_TRUNC };

static int run_comp(int cfd, int kind, int *bad, int *ok_runs)
{
	int n, injected = 0, ret, left, clen, want;
	struct io_uring ring;
	size_t i;

	if (io_uring_queue_init(8, &ring, 0)) {
		(*bad)++;
		return 0;
	}
	/* 4 KiB of text, compressed once without injection */
	for (i = 0; i < 4096; i++)
		src[i] = "ring offload doorbell "[i % 22];
	io_uring_prep_accel_compress(io_uring_get_sqe(&ring), cfd, dst, 4096,
				     src, 4096, WD_COMP_GZIP, 6);
	clen = wd_submit_wait1(&ring, NULL, NULL);
	if (clen <= 32) {
		wd_diag("compress without injection: %d", clen);
		(*bad)++;
		io_uring_queue_exit(&ring);
		return 0;
	}
	want = kind == CZ_COMP ? clen : -EBADMSG;

	for (n = 1; n <= MAX_N; n++) {
		memset(dst + 8192, 0, 4096);
		if (kind == CZ_COMP)
			io_uring_prep_accel_compress(io_uring_get_sqe(&ring),
						     cfd, dst + 8192, 4096,
						     src, 4096, WD_COMP_GZIP,
						     6);
		else
			io_uring_prep_accel_decompress(io_uring_get_sqe(&ring),
						       cfd, dst + 8192, 4096,
						       dst, clen - 12,
						       WD_COMP_GZIP);
		ret = submit_armed(&ring, n, &left);
		if (ret == NO_CQE) {
			wd_diag("compression %d, N=%d: no CQE", kind, n);
			(*bad)++;
			break;
		}
		if (ret == want &&
		    (kind != CZ_COMP || !memcmp(dst + 8192, dst, clen)))
			(*ok_runs)++;
		else if (ret != -ENOMEM && ret != -EAGAIN) {
			wd_diag("compression %d, N=%d: res %d, want %d", kind,
				n, ret, want);
			(*bad)++;
		}
		if (left != 0)
			break;		/* nothing left to fail on this path */
		injected++;
	}
	io_uring_queue_exit(&ring);
	return injected;
}

int main(void)
{
	static const char *const crypto_names[] = {
		"crypto0, a 4 KiB AES-GCM ENCRYPT",
		"crypto0, a 4 KiB AES-GCM DECRYPT",
		"crypto0, loading an AES-GCM key",
	};
	static const char *const comp_names[] = {
		"crypto0, a 4 KiB gzip COMPRESS",
		"crypto0, a truncated gzip DECOMPRESS (-EBADMSG)",
	};
	int sfd, efd, cfd, bad = 0, ok_runs = 0, total = 0, n, i;
	struct scenario sc[4];
	int nsc = 0;

	if (geteuid())
		wd_skip_all("needs root");
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0)
		wd_skip_all("no fail-nth: the kernel has no fault injection (the debug tier has)");
	if (fault_attrs("N", "0"))
		wd_skip_all("no failslab in debugfs");

	sfd = wd_open_or_skip();
	efd = io_uring_accel_open("edu0", O_RDWR);
	cfd = io_uring_accel_open("crypto0", O_RDWR);
	src = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	dst = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED || dst == MAP_FAILED)
		wd_skip_all("out of memory");

	/* inline, growing a bounce buffer (its failure means small chunks) */
	sc[nsc++] = (struct scenario){ "soft0, a 64 KiB inline COPY", sfd, 1, 65536 };
	/* three SQEs: io_uring plugs, the core registers a plug callback */
	sc[nsc++] = (struct scenario){ "soft0, 3 engine COPYs in one submit", sfd, 3, 4096 };
	if (efd >= 0)
		sc[nsc++] = (struct scenario){ "edu0, a pinned 4 KiB COPY", efd, 1, 4096 };

	wd_plan(nsc + 3 + (cfd >= 0 ? 5 : 0));
	for (i = 0; i < nsc; i++) {
		/* the engine scenario runs on the engine */
		wd_sysfs_write(wd_test_device(), "inline_max",
			       i == 0 ? 1 << 20 : 0);
		n = run(&sc[i], &bad, &ok_runs);
		total += n;
		wd_ok(n > 0 && n < MAX_N,
		      "%s: %d allocations on its path, each failed once",
		      sc[i].name, n);
	}
	wd_sysfs_write(wd_test_device(), "inline_max", 512);
	for (i = 0; cfd >= 0 && i < 3; i++) {
		n = run_crypto(cfd, i, &bad, &ok_runs);
		total += n;
		wd_ok(n > 0 && n < MAX_N,
		      "%s: %d allocations on its path, each failed once",
		      crypto_names[i], n);
	}
	for (i = 0; cfd >= 0 && i < 2; i++) {
		n = run_comp(cfd, i, &bad, &ok_runs);
		total += n;
		wd_ok(n > 0 && n < MAX_N,
		      "%s: %d allocations on its path, each failed once",
		      comp_names[i], n);
	}
	wd_ok(bad == 0, "%d injected failures: every request failed cleanly or copied the right bytes (%d bad)",
	      total, bad);
	wd_ok(wd_wait_idle(wd_test_device(), 10000) == 0,
	      "soft0 is idle afterwards");

	ref_random_fill(src, 4096, 99);
	{
		struct wd_desc d;
		int ret;

		wd_desc_copy(&d, dst, src, 4096);
		ret = io_uring_accel_submit_sync(sfd, &d);
		wd_ok(ret == 4096 && !memcmp(src, dst, 4096),
		      "and works (%d); %d requests succeeded under injection",
		      ret, ok_runs);
	}
	/* back to the defaults: sleeping allocations are not candidates */
	fault_attrs("Y", "2");
	if (efd >= 0)
		close(efd);
	if (cfd >= 0)
		close(cfd);
	close(sfd);
	return wd_exit();
}
