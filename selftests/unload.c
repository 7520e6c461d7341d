// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: the driver and the core cannot be unloaded while a
 * device file is open; once it is closed they unload cleanly (device node
 * and sysfs entries gone), load again, and the device works.
 *
 * Needs the module files: WD_MODULE_DIR names the directory holding
 * warpdrive.ko, warpdrive_soft.ko and (where loaded) warpdrive_edu.ko and
 * warpdrive_crypto.ko.
 * Runs last: it reloads the modules.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include "wd_uring.h"

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/*
 * Rings torn down by earlier tests release their files from a workqueue:
 * give them a moment rather than flaking.
 */
static int unload_retry(const char *name)
{
	int i, ret = 0;

	for (i = 0; i < 200; i++) {
		ret = unload(name);
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			break;
		usleep(10000);
	}
	return ret;
}

static int load(const char *dir, const char *file)
{
	char path[512];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

int main(void)
{
	const char *dir = getenv("WD_MODULE_DIR");
	struct io_uring ring;
	int fd, ret, res, edu, cr;

	if (!dir || !*dir)
		wd_skip_all("WD_MODULE_DIR not set");
	if (geteuid())
		wd_skip_all("needs root");
	if (strcmp(wd_test_device(), "soft0"))
		wd_skip_all("only for soft0");
	fd = wd_open_or_skip();

	wd_plan(8);
	ret = unload("warpdrive_soft");
	wd_ok(ret == -EWOULDBLOCK || ret == -EBUSY,
	      "driver unload refused while a device fd is open (%d)", ret);
	ret = unload("warpdrive");
	wd_ok(ret == -EWOULDBLOCK || ret == -EBUSY,
	      "core unload refused while a driver uses it (%d)", ret);
	close(fd);

	ret = unload_retry("warpdrive_soft");
	wd_ok(ret == 0, "driver unloads once the fd is closed (%d)", ret);
	wd_ok(!exists("/dev/warpdrive/soft0") &&
	      !exists("/sys/class/warpdrive/soft0"),
	      "device node and sysfs entry are gone");
	/* The PCI driver, where loaded, goes first too (and comes back). */
	edu = !unload_retry("warpdrive_edu");
	cr = !unload_retry("warpdrive_crypto");
	ret = unload("warpdrive");
	wd_ok(ret == 0 && !exists("/sys/class/warpdrive"),
	      "core unloads and its class is gone (%d)", ret);

	ret = load(dir, "warpdrive.ko");
	if (!ret)
		ret = load(dir, "warpdrive_soft.ko");
	if (!ret && edu)
		ret = load(dir, "warpdrive_edu.ko");
	if (!ret && cr)
		ret = load(dir, "warpdrive_crypto.ko");
	wd_ok(ret == 0, "core and drivers load again (%d)", ret);

	/* devtmpfs creates the node asynchronously to the driver's probe. */
	for (ret = 0; ret < 100 && !exists("/dev/warpdrive/soft0"); ret++)
		usleep(10000);
	fd = io_uring_accel_open("soft0", O_RDWR);
	wd_ok(fd >= 0, "soft0 is back");

	res = -1;
	if (fd >= 0 && !io_uring_queue_init(4, &ring, 0)) {
		io_uring_prep_accel_nop(io_uring_get_sqe(&ring), fd, 0, 0, 0);
		res = wd_submit_wait1(&ring, NULL, NULL);
		io_uring_queue_exit(&ring);
	}
	wd_ok(res == 0, "a NOP works on the reloaded device (%d)", res);
	if (fd >= 0)
		close(fd);
	return wd_exit();
}
