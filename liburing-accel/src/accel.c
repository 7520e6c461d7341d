// SPDX-License-Identifier: MIT
/*
 * liburing-accel: finding, opening and probing WarpDrive devices.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>

#include "liburing-accel.h"

#define WD_DEV_DIR	"/dev/warpdrive"
#define WD_SYSFS_DIR	"/sys/class/warpdrive"
/* Device names are short ("soft0", "edu0"); the core enforces nothing
 * longer than a path component, this is just our buffer. */
#define WD_NAME_MAX	64

static const char *const op_names[WD_OP_END] = {
	[WD_OP_NOP]		= "nop",
	[WD_OP_COPY]		= "copy",
	[WD_OP_FILL]		= "fill",
	[WD_OP_COMPARE]		= "compare",
	[WD_OP_COMPARE_PATTERN]	= "compare_pattern",
	[WD_OP_CRC32C]		= "crc32c",
	[WD_OP_COPY_CRC32C]	= "copy_crc32c",
	[WD_OP_DUALCAST]	= "dualcast",
	[WD_OP_COMPRESS]	= "compress",
	[WD_OP_DECOMPRESS]	= "decompress",
	[WD_OP_ENCRYPT]		= "encrypt",
	[WD_OP_DECRYPT]		= "decrypt",
	[WD_OP_DIGEST]		= "digest",
};

const char *io_uring_accel_op_name(unsigned int op)
{
	if (op >= WD_OP_END)
		return NULL;
	return op_names[op];
}

static int valid_name(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len && len < WD_NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

int io_uring_accel_open(const char *name, int oflags)
{
	char path[sizeof(WD_DEV_DIR) + WD_NAME_MAX + 1];
	int fd;

	if (!valid_name(name))
		return -EINVAL;
	snprintf(path, sizeof(path), WD_DEV_DIR "/%s", name);
	fd = open(path, oflags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* 1 when the device's sysfs "ops" (space-separated names) lists @opname. */
static int device_has_op(const char *dev, const char *opname)
{
	char path[sizeof(WD_SYSFS_DIR) + WD_NAME_MAX + 8];
	char buf[1024], *tok, *save;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), WD_SYSFS_DIR "/%s/ops", dev);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';

	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, opname))
			return 1;
	return 0;
}

int io_uring_accel_open_op(unsigned int op, int oflags, char *name,
			   size_t size)
{
	const char *opname = io_uring_accel_op_name(op);
	struct dirent **list;
	int i, n, ret = -ENODEV;

	if (!opname)
		return -EINVAL;
	n = scandir(WD_SYSFS_DIR, &list, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? -ENODEV : -errno;

	for (i = 0; i < n; i++) {
		const char *dev = list[i]->d_name;

		if (ret != -ENODEV || !valid_name(dev) || dev[0] == '.' ||
		    !device_has_op(dev, opname))
			continue;
		ret = io_uring_accel_open(dev, oflags);
		if (ret >= 0 && name && size)
			snprintf(name, size, "%s", dev);
	}
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return ret;
}

int io_uring_accel_probe(int fd, struct wd_features *f)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(1, &ring, 0);
	if (ret)
		return ret;

	memset(f, 0, sizeof(*f));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_accel_get_features(sqe, fd, f);
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret >= 0) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (!ret) {
			ret = cqe->res < 0 ? cqe->res : 0;
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	io_uring_queue_exit(&ring);
	return ret;
}

int io_uring_accel_submit_sync(int fd, struct wd_desc *d)
{
	int ret = ioctl(fd, WD_IOC_SUBMIT, d);

	return ret < 0 ? -errno : ret;
}

/*
 * Which kernels read a deferred URING_CMD's SQE from the SQ ring when they
 * issue it: up to 5.19..6.9, io_uring copied a linked or drained command's
 * SQE when it deferred it; 6.10 dropped that copy; 6.14 (and 6.13.4)
 * copy every URING_CMD's SQE at prep again, and 6.16 copies it whenever
 * the request is deferred. Distribution kernels keep their upstream
 * version number, so the release string tells which one runs (a backport
 * of the fix into an older series is not seen: such a kernel just pays for
 * an IOSQE_ASYNC it did not need). A release that cannot be read gets the
 * safe answer.
 */
int io_uring_accel_sqe_copied_late(void)
{
	static int late = -1;
	unsigned int major, minor, patch = 0;
	struct utsname u;

	if (late < 0) {
		int v = 1;

		if (!uname(&u) &&
		    sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) >= 2) {
			unsigned int ver = major * 10000 + minor * 100;

			v = ver >= 61000 && (ver < 61300 ||
					     (ver == 61300 && patch < 4));
		}
		late = v;
	}
	return late;
}

void io_uring_accel_sqe_deferred(struct io_uring_sqe *sqe)
{
	if (io_uring_accel_sqe_copied_late())
		sqe->flags |= IOSQE_ASYNC;
}

int io_uring_accel_key_add(int fd, const char *alg, const void *key,
			   unsigned int key_len, unsigned int tag_len,
			   struct wd_key_add *info)
{
	struct wd_key_add ka;

	if (!alg || strlen(alg) >= sizeof(ka.alg))
		return -EINVAL;
	memset(&ka, 0, sizeof(ka));
	strcpy(ka.alg, alg);
	ka.key = (__u64)(unsigned long)key;
	ka.key_len = key_len;
	ka.tag_len = tag_len;
	if (ioctl(fd, WD_IOC_KEY_ADD, &ka) < 0)
		return -errno;
	if (info)
		*info = ka;
	return (int)ka.handle;
}

int io_uring_accel_key_remove(int fd, __u32 handle)
{
	return ioctl(fd, WD_IOC_KEY_REMOVE, &handle) < 0 ? -errno : 0;
}
