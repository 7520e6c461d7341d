// SPDX-License-Identifier: GPL-2.0
/*
 * Fair service on a shared engine: a process that floods soft0 with huge
 * requests delays another process's small ones by a slice per turn, not
 * by its whole backlog.
 *
 * One engine serves both. The flooder (a child) submits FLOOD_COPIES
 * 64 MiB COPYs and a batch of BATCH_DESCS 4 MiB descriptors: over a GiB
 * of copying, far more than the other tenant's TENANT_OPS small COPYs plus
 * one slice of the flood for each of them. The case holds when all of the
 * other tenant's COPYs complete while the flood is still running: what is
 * compared is amounts of work, not times, so a slow machine slows both
 * sides alike. Killing the flooder then ends the rest of the flood.
 *
 * The same again with a flood of compressions, which cannot stop for a
 * turn (a codec's state lives in its workspace): FLOOD_STREAMS level-9
 * COMPRESSes of 32 MiB and a batch of as many 8 MiB ones, each far more
 * work than everything the other tenant asks for, which now includes
 * small COMPRESSes and a 1 MiB one (long enough to need a stream worker
 * of its own, beside the one the flood has). It holds when the other
 * tenant is done before even one of the flood's compressions has finished.
 */
#include <signal.h>
#include <sys/wait.h>
#include "wd_tenant.h"

#define FLOOD_LEN	(64U << 20)
#define FLOOD_COPIES	16
#define BATCH_DESCS	64
#define DESC_LEN	(4U << 20)
#define TENANT_OPS	100
#define TENANT_LEN	4096
#define FLOOD_STREAMS	3
#define STREAM_LEN	(32U << 20)
#define STREAM_DESC_LEN	(8U << 20)
#define TENANT_STREAMS	20
#define TENANT_BIG	(1U << 20)
#define HANG_MS		120000

struct flood {
	volatile int submitted;	/* requests the flooder has in flight */
	volatile int completed;	/* ... of which completed */
	volatile int failed;
};

static struct flood *fl;

/*
 * Data that deflate has to work for: text-like, from a 16-letter alphabet
 * with runs, so matches are short and many.
 */
static void fill_text(unsigned char *p, size_t len)
{
	unsigned int x = 12345;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		p[i] = 'a' + ((x >> 16) & 15);
	}
}

/* Level-9 compressions, each one stream from start to end. */
static int flood_streams(int fd, struct io_uring *ring)
{
	unsigned char *src, *dst;
	struct wd_desc *d;
	int i;

	src = mmap(NULL, 2 * (size_t)STREAM_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	d = calloc(FLOOD_STREAMS, sizeof(*d));
	if (src == MAP_FAILED || !d)
		return -1;
	dst = src + STREAM_LEN;
	fill_text(src, STREAM_LEN);
	for (i = 0; i < FLOOD_STREAMS; i++)
		io_uring_prep_accel_compress(io_uring_get_sqe(ring), fd, dst,
					     STREAM_LEN, src, STREAM_LEN,
					     WD_COMP_DEFLATE, 9);
	for (i = 0; i < FLOOD_STREAMS; i++)
		wd_desc_compress(&d[i], dst, STREAM_DESC_LEN,
				 src + (size_t)i * STREAM_DESC_LEN,
				 STREAM_DESC_LEN, WD_COMP_DEFLATE, 9);
	io_uring_prep_accel_batch(io_uring_get_sqe(ring), fd, d,
				  FLOOD_STREAMS);
	return FLOOD_STREAMS + 1;
}

static void __attribute__((noreturn)) flooder(const char *dev, bool streams)
{
	unsigned char *src, *dst;
	struct wd_desc *d;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int fd, i;

	int n = FLOOD_COPIES + 1;

	fd = io_uring_accel_open(dev, O_RDWR);
	if (fd < 0 || io_uring_queue_init(32, &ring, 0))
		_exit(2);
	if (streams) {
		n = flood_streams(fd, &ring);
		if (n < 0)
			_exit(2);
		goto submit;
	}
	src = mmap(NULL, 2 * (size_t)FLOOD_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	d = calloc(BATCH_DESCS, sizeof(*d));
	if (src == MAP_FAILED || !d)
		_exit(2);
	dst = src + FLOOD_LEN;
	memset(src, 0x3c, FLOOD_LEN);
	for (i = 0; i < FLOOD_COPIES; i++)
		io_uring_prep_accel_copy(io_uring_get_sqe(&ring), fd, dst, src,
					 FLOOD_LEN);
	for (i = 0; i < BATCH_DESCS; i++)
		wd_desc_copy(&d[i], dst + (size_t)(i % 16) * DESC_LEN,
			     src + (size_t)(i % 16) * DESC_LEN, DESC_LEN);
	io_uring_prep_accel_batch(io_uring_get_sqe(&ring), fd, d,
				  BATCH_DESCS);
submit:
	if (io_uring_submit(&ring) != n)
		_exit(2);
	fl->submitted = n;
	for (i = 0; i < n; i++) {
		if (io_uring_wait_cqe(&ring, &cqe))
			_exit(2);
		if (cqe->res < 0)
			fl->failed++;
		io_uring_cqe_seen(&ring, cqe);
		fl->completed++;
	}
	_exit(0);
}

/* The other tenant's level-1 COMPRESSes, each judged by its size. */
static void compress_prep(struct io_uring_sqe *sqe, int fd, unsigned char *s,
			  unsigned char *d, size_t len, int i)
{
	if (!i)
		fill_text(s, len);
	io_uring_prep_accel_compress(sqe, fd, d, len, s, len,
				     WD_COMP_DEFLATE, 1);
}

static int compress_check(int res, const unsigned char *s,
			  const unsigned char *d, size_t len)
{
	(void)s;
	(void)d;
	return res > 0 && res < (int)len;
}

static int tenant_compresses(int fd, int n, size_t len)
{
	static const struct wd_tenant_op compress = {
		.name	= "COMPRESS",
		.prep	= compress_prep,
		.check	= compress_check,
	};

	return wd_tenant_run(fd, n, len, HANG_MS, NULL, &compress);
}

/* One flood and the other tenant's work beside it: two cases. */
static void flood_case(const char *dev, int fd, bool streams)
{
	int good, squeezed = 0, flood_done, status;
	const char *what = streams ?
		"a flood of level-9 COMPRESSes (3 x 32 MiB, a 3 x 8 MiB batch)" :
		"a flood of 16 x 64 MiB COPYs and a 64 x 4 MiB batch";
	double end;
	pid_t pid;
	bool held;

	memset((void *)fl, 0, sizeof(*fl));
	pid = fork();
	if (!pid)
		flooder(dev, streams);
	end = wd_now_ms() + HANG_MS;
	while (!fl->submitted && wd_now_ms() < end &&
	       !waitpid(pid, &status, WNOHANG))
		usleep(5000);

	good = wd_tenant_copies(fd, TENANT_OPS, TENANT_LEN, HANG_MS, NULL);
	if (streams)
		squeezed = tenant_compresses(fd, TENANT_STREAMS, TENANT_LEN) +
			   tenant_compresses(fd, 1, TENANT_BIG);
	flood_done = fl->completed;
	/* a stream cannot be sliced: not one of them may have finished */
	held = streams ? flood_done == 0 : flood_done < fl->submitted;
	if (good != TENANT_OPS || squeezed != (streams ? TENANT_STREAMS + 1 : 0) ||
	    !held)
		wd_diag("%d of %d COPYs, %d COMPRESSes; the flood had %d of %d requests done",
			good, TENANT_OPS, squeezed, flood_done, fl->submitted);
	wd_ok(fl->submitted && good == TENANT_OPS &&
	      squeezed == (streams ? TENANT_STREAMS + 1 : 0) && held,
	      "another process's %d small COPYs%s all complete while %s runs (%d of %d flood requests done)",
	      TENANT_OPS, streams ? ", 20 small COMPRESSes and a 1 MiB one" : "", what,
	      flood_done, fl->submitted);

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	wd_ok(wd_wait_idle(dev, HANG_MS) == 0,
	      "killing the flooder ends the rest of %s", what);
}

int main(void)
{
	const char *dev = wd_test_device();
	long long engines;
	int fd;

	if (strcmp(dev, "soft0"))
		wd_skip_all("the engine cases are soft0's");
	fd = wd_open_or_skip();
	fl = mmap(NULL, sizeof(*fl), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	engines = wd_sysfs_read(dev, "engines");
	if (fl == MAP_FAILED || engines < 0 ||
	    wd_sysfs_write(dev, "engines", 1))
		wd_skip_all("cannot set up (shared memory, soft0's engines)");

	wd_plan(4);
	flood_case(dev, fd, false);
	flood_case(dev, fd, true);
	wd_sysfs_write(dev, "engines", engines);
	close(fd);
	return wd_exit();
}
