/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WarpDrive driver API: what an accelerator driver uses to put its device
 * behind /dev/warpdrive/<name> and the io_uring path.
 *
 * Life of a device:
 *
 *	wdev = wd_device_alloc(parent, &my_ops, sizeof(struct my_priv));
 *	wdev->ops_mask = BIT_ULL(WD_OP_NOP) | ...;  (capabilities, see below)
 *	err = wd_device_register(wdev, "my0");
 *	...
 *	wd_device_unregister(wdev);	(waits for the driver's requests)
 *	wd_device_put(wdev);		(drops the driver's reference)
 *
 * Life of a request: the core validates the SQE, fills a struct wd_req and
 * calls ops->submit() from the io_uring issue path. The driver owns the
 * request from then until it calls wd_complete(), exactly once, from any
 * context (hard interrupt included). The core turns that into the CQE.
 */
#ifndef _WD_DRIVER_H
#define _WD_DRIVER_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/llist.h>
#include <linux/percpu-refcount.h>
#include <linux/types.h>
#include <uapi/linux/warpdrive.h>

struct wd_device;

/**
 * struct wd_req - one request, as the driver sees it
 * @node: free for the driver while it owns the request (queue link)
 * @op: WD_OP_* to execute; the core only submits ops in the device's mask
 * @flags: WD_REQ_* (core-private bits; drivers must not change them)
 * @res: result: bytes done, the op's value, or a negative errno. The core
 *	presets it (0 for most ops); the driver overwrites it as needed.
 * @res2: the op's 64-bit value result, delivered in a CQE32's big_cqe[0].
 *
 * Lives in the io_uring command's private area: no allocation per request.
 */
struct wd_req {
	struct llist_node	node;
	u16			op;
	u16			flags;
	s32			res;
	u64			res2;
};

/**
 * struct wd_ops - what a driver implements
 * @owner: the driver's module, pinned while a file of the device is open
 * @name: the driver's name, shown in sysfs ("driver")
 * @submit: queue @rq on the device and ring its doorbell. Called from the
 *	io_uring issue path, possibly with io_uring's locks held: must not
 *	sleep. Return 0 once the request is the driver's (it will be passed to
 *	wd_complete() later), or a negative errno to fail it at once (the
 *	driver then never completes it).
 */
struct wd_ops {
	struct module	*owner;
	const char	*name;
	int		(*submit)(struct wd_device *wdev, struct wd_req *rq);
};

/**
 * struct wd_device - a WarpDrive device
 *
 * The driver fills the capability fields between wd_device_alloc() and
 * wd_device_register() and never changes them afterwards; user space reads
 * them through WD_CMD_GET_FEATURES and sysfs.
 *
 * @ops_mask: BIT_ULL(WD_OP_x) for every op the device executes
 * @dev_flags: WD_DEV_F_* (address mode and other capabilities)
 * @max_len: longest operand one request may name, in bytes
 * @nr_queues: number of hardware (or engine) queues
 * @numa_node: node the device is attached to, or NUMA_NO_NODE
 * @groups: extra sysfs attribute groups for the device (driver knobs)
 * @priv: the driver's area, sized by wd_device_alloc()
 */
struct wd_device {
	u64				ops_mask;
	u64				dev_flags;
	u64				max_len;
	u32				nr_queues;
	int				numa_node;
	const struct attribute_group	**groups;
	void				*priv;

	/* private to the core */
	const struct wd_ops		*ops;
	struct device			dev;
	struct cdev			cdev;
	struct percpu_ref		live;
	struct completion		drained;
	struct wd_stats __percpu	*stats;
	bool				registered;
};

struct wd_device *wd_device_alloc(struct device *parent,
				  const struct wd_ops *ops, size_t priv_size);
int wd_device_register(struct wd_device *wdev, const char *name);
void wd_device_unregister(struct wd_device *wdev);
void wd_device_put(struct wd_device *wdev);

void wd_complete(struct wd_req *rq);

static inline const char *wd_device_name(const struct wd_device *wdev)
{
	return dev_name(&wdev->dev);
}

static inline struct wd_device *wd_dev_to_wdev(struct device *dev)
{
	return container_of(dev, struct wd_device, dev);
}

#endif /* _WD_DRIVER_H */
