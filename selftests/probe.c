// SPDX-License-Identifier: GPL-2.0
/*
 * WD_CMD_GET_FEATURES and device discovery: what the probe reports agrees
 * with sysfs, every byte it writes is defined, it never writes past the
 * size it reports, and liburing-accel finds and opens devices by name and
 * by op.
 */
#include <sys/mman.h>
#include "wd_uring.h"

static int fd;
static const char *dev;

static int get_features(void *buf, __u32 len)
{
	struct io_uring ring;
	int res;

	io_uring_queue_init(4, &ring, 0);
	io_uring_prep_accel_cmd(io_uring_get_sqe(&ring), fd,
				WD_CMD_GET_FEATURES, 0,
				(__u64)(unsigned long)buf, len, 0, 0);
	res = wd_submit_wait1(&ring, NULL, NULL);
	io_uring_queue_exit(&ring);
	return res;
}

static void test_features(void)
{
	struct wd_features f;
	unsigned char big[2 * sizeof(f)];
	int res, i, resv_zero = 1;

	memset(&f, 0xa5, sizeof(f));
	res = get_features(&f, sizeof(f));
	if (!wd_ok(res == WD_FEATURES_SIZE_V0 && f.size == sizeof(f),
		   "GET_FEATURES writes the whole struct and says so")) {
		wd_diag("res %d size %u", res, f.size);
		return;
	}
	wd_ok(f.abi_version == WD_ABI_VERSION && f.__pad0 == 0,
	      "ABI version %u, padding zero", f.abi_version);
	for (i = 0; i < (int)(sizeof(f.__resv) / sizeof(f.__resv[0])); i++)
		resv_zero &= f.__resv[i] == 0;
	wd_ok(resv_zero && f.__pad1 == 0, "reserved words are zero");
	wd_ok((f.cmds & WD_FEAT_CMD_DESC) && !(f.cmds & ~(WD_FEAT_CMD_DESC |
						       WD_FEAT_CMD_BATCH)) &&
	      !!(f.cmds & WD_FEAT_CMD_BATCH) ==
	      !(f.dev_flags & WD_DEV_F_PINNED),
	      "request forms: descriptors in the SQE, batches unless pinned (cmds %#llx)",
	      (unsigned long long)f.cmds);
	wd_ok((f.ops & (1ULL << WD_OP_NOP)) &&
	      (f.op_flags & WD_NOP_F_INJECT_RESULT) &&
	      (f.op_flags & WD_NOP_F_INLINE),
	      "NOP and its flags are advertised (ops %#llx flags %#llx)",
	      (unsigned long long)f.ops, (unsigned long long)f.op_flags);
	wd_ok((long long)f.nr_queues == wd_sysfs_read(dev, "nr_queues") &&
	      (long long)f.max_len == wd_sysfs_read(dev, "max_len") &&
	      (long long)f.comp_max_len == wd_sysfs_read(dev, "comp_max_len") &&
	      f.numa_node == wd_sysfs_read(dev, "numa_node") &&
	      !f.comp_formats == !f.comp_max_len &&
	      f.comp_max_len <= f.max_len,
	      "queues, max_len, comp_max_len and NUMA node agree with sysfs");

	/* A larger buffer: the kernel's size is written, the rest is not. */
	memset(big, 0xff, sizeof(big));
	res = get_features(big, sizeof(big));
	for (i = sizeof(f); i < (int)sizeof(big) && big[i] == 0xff; i++)
		;
	wd_ok(res == sizeof(f) && i == (int)sizeof(big) &&
	      !memcmp(big, &f, sizeof(f)),
	      "a larger buffer gets exactly the kernel's struct");

	res = get_features(&f, WD_FEATURES_SIZE_V0 - 1);
	wd_ok(res == -EINVAL, "a buffer below the v0 size is refused (%d)",
	      res);
	res = get_features((void *)8, sizeof(f));
	wd_ok(res == -EFAULT, "an unmapped buffer gives -EFAULT (%d)", res);
}

static void test_probe_helper(void)
{
	struct wd_features a, b;
	int ret;

	memset(&a, 0, sizeof(a));
	get_features(&a, sizeof(a));
	ret = io_uring_accel_probe(fd, &b);
	wd_ok(ret == 0 && !memcmp(&a, &b, sizeof(a)),
	      "io_uring_accel_probe() agrees with the raw command");
}

static void test_open(void)
{
	char name[32] = "";
	int f2;

	f2 = io_uring_accel_open(dev, O_RDWR);
	wd_ok(f2 >= 0, "io_uring_accel_open(\"%s\")", dev);
	if (f2 >= 0)
		close(f2);
	f2 = io_uring_accel_open("no-such-device", O_RDWR);
	wd_ok(f2 == -ENOENT, "opening a missing device gives -ENOENT (%d)",
	      f2);
	f2 = io_uring_accel_open("../null", O_RDWR);
	wd_ok(f2 == -EINVAL, "a name with a slash is refused (%d)", f2);

	f2 = io_uring_accel_open_op(WD_OP_NOP, O_RDWR, name, sizeof(name));
	wd_ok(f2 >= 0 && name[0], "first device with NOP: %s", name);
	if (f2 >= 0)
		close(f2);
	f2 = io_uring_accel_open_op(WD_OP_END, O_RDWR, NULL, 0);
	wd_ok(f2 == -EINVAL, "an unknown op is refused (%d)", f2);

	wd_ok(!strcmp(io_uring_accel_op_name(WD_OP_NOP), "nop") &&
	      !io_uring_accel_op_name(WD_OP_END),
	      "op names");
}

static void test_sysfs(void)
{
	char buf[256];

	if (strcmp(dev, "soft0")) {
		wd_skip("not soft0", "soft0 sysfs attributes");
		return;
	}
	wd_ok(!wd_sysfs_str(dev, "driver", buf, sizeof(buf)) && !strcmp(buf, "soft") &&
	      !wd_sysfs_str(dev, "ops", buf, sizeof(buf)) && strstr(buf, "nop") &&
	      !wd_sysfs_str(dev, "flags", buf, sizeof(buf)) && !strcmp(buf, "cpu_sva"),
	      "soft0 sysfs: driver, ops, flags");
}

int main(void)
{
	fd = wd_open_or_skip();
	dev = wd_test_device();

	wd_plan(17);
	test_features();
	test_probe_helper();
	test_open();
	test_sysfs();
	close(fd);
	return wd_exit();
}
