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
#define HANG_MS		120000

struct flood {
	volatile int submitted;	/* requests the flooder has in flight */
	volatile int completed;	/* ... of which completed */
	volatile int failed;
};

static struct flood *fl;

static void __attribute__((noreturn)) flooder(const char *dev)
{
	unsigned char *src, *dst;
	struct wd_desc *d;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int fd, i;

	fd = io_uring_accel_open(dev, O_RDWR);
	src = mmap(NULL, 2 * (size_t)FLOOD_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	d = calloc(BATCH_DESCS, sizeof(*d));
	if (fd < 0 || src == MAP_FAILED || !d ||
	    io_uring_queue_init(32, &ring, 0))
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
	if (io_uring_submit(&ring) != FLOOD_COPIES + 1)
		_exit(2);
	fl->submitted = FLOOD_COPIES + 1;
	for (i = 0; i < FLOOD_COPIES + 1; i++) {
		if (io_uring_wait_cqe(&ring, &cqe))
			_exit(2);
		if (cqe->res < 0)
			fl->failed++;
		io_uring_cqe_seen(&ring, cqe);
		fl->completed++;
	}
	_exit(0);
}

int main(void)
{
	const char *dev = wd_test_device();
	long long engines;
	int fd, good, flood_done, status;
	double end;
	pid_t pid;

	if (strcmp(dev, "soft0"))
		wd_skip_all("the engine cases are soft0's");
	fd = wd_open_or_skip();
	fl = mmap(NULL, sizeof(*fl), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	engines = wd_sysfs_read(dev, "engines");
	if (fl == MAP_FAILED || engines < 0 ||
	    wd_sysfs_write(dev, "engines", 1))
		wd_skip_all("cannot set up (shared memory, soft0's engines)");

	wd_plan(2);
	pid = fork();
	if (!pid)
		flooder(dev);
	end = wd_now_ms() + HANG_MS;
	while (!fl->submitted && wd_now_ms() < end &&
	       !waitpid(pid, &status, WNOHANG))
		usleep(5000);

	good = wd_tenant_copies(fd, TENANT_OPS, TENANT_LEN, HANG_MS, NULL);
	flood_done = fl->completed;
	if (good != TENANT_OPS || flood_done >= fl->submitted)
		wd_diag("%d of %d COPYs; the flood had %d of %d requests done",
			good, TENANT_OPS, flood_done, fl->submitted);
	wd_ok(fl->submitted && good == TENANT_OPS &&
	      flood_done < fl->submitted,
	      "another process's %d small COPYs all complete while a flood of %d x 64 MiB COPYs and a %d x 4 MiB batch runs (%d of %d flood requests done)",
	      TENANT_OPS, FLOOD_COPIES, BATCH_DESCS, flood_done,
	      fl->submitted);

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	wd_ok(wd_wait_idle(dev, HANG_MS) == 0,
	      "killing the flooder ends the rest of the flood");
	wd_sysfs_write(dev, "engines", engines);
	close(fd);
	return wd_exit();
}
