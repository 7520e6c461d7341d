// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes every WarpDrive device has, under
 * /sys/class/warpdrive/<name>/. Documented in docs/sysfs.md. Drivers add
 * their own knobs through wdev->groups.
 */
#include <linux/sysfs.h>
#include "wd_internal.h"

static ssize_t driver_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", wd_dev_to_wdev(dev)->ops->name);
}
static DEVICE_ATTR_RO(driver);

/* The names of the bits set in @mask, space-separated, as one line. */
static ssize_t wd_emit_names(char *buf, u64 mask, const char * const *names,
			     unsigned int nr)
{
	unsigned int bit;
	int len = 0;

	for (bit = 0; bit < nr; bit++)
		if ((mask & BIT_ULL(bit)) && names[bit])
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     names[bit]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t ops_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	const char *names[WD_OP_END];
	int op;

	/* the op table is the one place op names live */
	for (op = 0; op < WD_OP_END; op++)
		names[op] = wd_op_table[op].name;
	return wd_emit_names(buf, wd_dev_to_wdev(dev)->ops_mask, names,
			     WD_OP_END);
}
static DEVICE_ATTR_RO(ops);

static const char * const wd_dev_flag_names[] = {
	[ilog2(WD_DEV_F_CPU_SVA)]	= "cpu_sva",
	[ilog2(WD_DEV_F_SVA)]		= "sva",
	[ilog2(WD_DEV_F_PINNED)]	= "pinned",
	[ilog2(WD_DEV_F_DEFLATE_TAIL)]	= "deflate_tail",
};

static ssize_t flags_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return wd_emit_names(buf, wd_dev_to_wdev(dev)->dev_flags,
			     wd_dev_flag_names, ARRAY_SIZE(wd_dev_flag_names));
}
static DEVICE_ATTR_RO(flags);

static const char * const wd_comp_format_names[WD_COMP_FORMAT_END] = {
	[WD_COMP_DEFLATE]	= "deflate",
	[WD_COMP_ZLIB]		= "zlib",
	[WD_COMP_GZIP]		= "gzip",
	[WD_COMP_ZSTD]		= "zstd",
	[WD_COMP_LZ4]		= "lz4",
};

static ssize_t formats_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return wd_emit_names(buf, wd_dev_to_wdev(dev)->comp_formats,
			     wd_comp_format_names,
			     ARRAY_SIZE(wd_comp_format_names));
}
static DEVICE_ATTR_RO(formats);

static ssize_t max_len_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n", wd_dev_to_wdev(dev)->max_len);
}
static DEVICE_ATTR_RO(max_len);

static ssize_t comp_max_len_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", wd_comp_max_len(wd_dev_to_wdev(dev)));
}
static DEVICE_ATTR_RO(comp_max_len);

static ssize_t nr_queues_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", wd_dev_to_wdev(dev)->nr_queues);
}
static DEVICE_ATTR_RO(nr_queues);

static ssize_t numa_node_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", wd_dev_to_wdev(dev)->numa_node);
}
static DEVICE_ATTR_RO(numa_node);

static ssize_t inline_max_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(wd_dev_to_wdev(dev)->inline_max));
}

static ssize_t inline_max_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	struct wd_device *wdev = wd_dev_to_wdev(dev);
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);
	if (ret)
		return ret;
	/* Only a driver that can run requests itself has a threshold. */
	if (val && !wdev->ops->execute)
		return -EOPNOTSUPP;
	WRITE_ONCE(wdev->inline_max, val);
	return count;
}
static DEVICE_ATTR_RW(inline_max);

static ssize_t file_max_inflight_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  READ_ONCE(wd_dev_to_wdev(dev)->file_max_inflight));
}

/* Applies to new requests; what is in flight already stays. */
static ssize_t file_max_inflight_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t count)
{
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);
	if (ret)
		return ret;
	if (!val || val > INT_MAX)
		return -EINVAL;
	WRITE_ONCE(wd_dev_to_wdev(dev)->file_max_inflight, val);
	return count;
}
static DEVICE_ATTR_RW(file_max_inflight);

static ssize_t coalesce_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(wd_dev_to_wdev(dev)->coalesce));
}

/* Off: every submission rings its doorbell (to measure what batching buys). */
static ssize_t coalesce_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t count)
{
	bool val;
	int ret;

	ret = kstrtobool(buf, &val);
	if (ret)
		return ret;
	WRITE_ONCE(wd_dev_to_wdev(dev)->coalesce, val);
	return count;
}
static DEVICE_ATTR_RW(coalesce);

/* A snapshot: CPUs keep counting while the sum is taken. */
static ssize_t stat_show(struct device *dev, char *buf, size_t offset)
{
	struct wd_stats sum;

	wd_stats_sum(wd_dev_to_wdev(dev), &sum);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((u8 *)&sum + offset));
}

#define WD_STAT_ATTR(field)						\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return stat_show(dev, buf, offsetof(struct wd_stats, field));	\
}									\
static DEVICE_ATTR_RO(field)

WD_STAT_ATTR(submitted);
WD_STAT_ATTR(completed);
WD_STAT_ATTR(failed);
WD_STAT_ATTR(doorbells);
WD_STAT_ATTR(canceled);

static struct attribute *wd_dev_attrs[] = {
	&dev_attr_driver.attr,
	&dev_attr_ops.attr,
	&dev_attr_flags.attr,
	&dev_attr_formats.attr,
	&dev_attr_max_len.attr,
	&dev_attr_comp_max_len.attr,
	&dev_attr_nr_queues.attr,
	&dev_attr_numa_node.attr,
	&dev_attr_inline_max.attr,
	&dev_attr_file_max_inflight.attr,
	&dev_attr_coalesce.attr,
	&dev_attr_submitted.attr,
	&dev_attr_completed.attr,
	&dev_attr_failed.attr,
	&dev_attr_doorbells.attr,
	&dev_attr_canceled.attr,
	NULL,
};

static const struct attribute_group wd_dev_group = {
	.attrs = wd_dev_attrs,
};

const struct attribute_group *wd_dev_groups[] = {
	&wd_dev_group,
	NULL,
};
