// SPDX-License-Identifier: GPL-2.0
/*
 * WarpDrive core: the device registry, the "warpdrive" class, the char
 * devices /dev/warpdrive/<name> and the lifetime rules that tie them to the
 * drivers behind them.
 *
 * Lifetimes:
 *  - struct wd_device is freed by its struct device's release, when the
 *    last reference is gone. The driver holds one from wd_device_alloc()
 *    until wd_device_put(); every open file holds one; the embedded cdev
 *    pins the device while the char device is reachable.
 *  - wdev->live counts users of the driver: an open() in progress and every
 *    request between ops->submit() and wd_complete(). Unregistering kills
 *    it, so new opens and submissions fail with -ENODEV, and waits until it
 *    drains, so that when wd_device_unregister() returns, the driver is
 *    never called again and owns no request.
 *  - an open file also holds the driver's module, so a driver cannot be
 *    unloaded under a file that might still submit to it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "wd_internal.h"

#define WD_MAX_DEVICES	256

static dev_t wd_devt;
static DEFINE_IDA(wd_minor_ida);

/*
 * Device nodes are created readable and writable by owner and group: a
 * device lets its user make the kernel read and write memory on its
 * behalf, so who may use it is an administrator's decision (a udev rule
 * gives the group), never everyone's by default.
 */
#define WD_DEVNODE_MODE	0660

static char *wd_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = WD_DEVNODE_MODE;
	return kasprintf(GFP_KERNEL, "warpdrive/%s", dev_name(dev));
}

static const struct class wd_class = {
	.name		= "warpdrive",
	.devnode	= wd_devnode,
	.dev_groups	= wd_dev_groups,
};

bool wd_device_enter(struct wd_device *wdev)
{
	return percpu_ref_tryget_live(&wdev->live);
}

void wd_device_exit(struct wd_device *wdev)
{
	percpu_ref_put(&wdev->live);
}

void wd_stats_sum(const struct wd_device *wdev, struct wd_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct wd_stats *s = per_cpu_ptr(wdev->stats, cpu);

		sum->submitted += READ_ONCE(s->submitted);
		sum->completed += READ_ONCE(s->completed);
		sum->failed += READ_ONCE(s->failed);
		sum->doorbells += READ_ONCE(s->doorbells);
		sum->canceled += READ_ONCE(s->canceled);
	}
}

static int wd_open(struct inode *inode, struct file *file)
{
	struct wd_device *wdev = container_of(inode->i_cdev, struct wd_device,
					      cdev);
	struct wd_file *wf;
	int ret = -ENODEV;

	/* Holding live keeps the driver (and so ops->owner) from going away. */
	if (!wd_device_enter(wdev))
		return -ENODEV;
	if (!try_module_get(wdev->ops->owner))
		goto out_exit;
	ret = -ENOMEM;
	wf = kzalloc(sizeof(*wf), GFP_KERNEL_ACCOUNT);
	if (!wf)
		goto out_put_module;

	wf->wdev = wdev;
	if (wdev->ops->open) {
		ret = wdev->ops->open(wdev, &wf->priv);
		if (ret)
			goto out_free;
	}
	get_device(&wdev->dev);
	file->private_data = wf;
	ret = stream_open(inode, file);
	goto out_exit;

out_free:
	kfree(wf);
out_put_module:
	module_put(wdev->ops->owner);
out_exit:
	wd_device_exit(wdev);
	return ret;
}

static int wd_release(struct inode *inode, struct file *file)
{
	struct wd_file *wf = file->private_data;
	struct wd_device *wdev = wf->wdev;

	/* io_uring held the file while its requests were in flight */
	if (wdev->ops->release)
		wdev->ops->release(wdev, wf->priv);
	kfree(wf);
	module_put(wdev->ops->owner);
	put_device(&wdev->dev);
	return 0;
}

static const struct file_operations wd_fops = {
	.owner		= THIS_MODULE,
	.open		= wd_open,
	.release	= wd_release,
	.uring_cmd	= wd_uring_cmd,
	.uring_cmd_iopoll = wd_uring_iopoll,
	.unlocked_ioctl	= wd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static void wd_live_release(struct percpu_ref *ref)
{
	struct wd_device *wdev = container_of(ref, struct wd_device, live);

	complete(&wdev->drained);
}

static void wd_dev_release(struct device *dev)
{
	struct wd_device *wdev = wd_dev_to_wdev(dev);

	if (MAJOR(dev->devt))
		ida_free(&wd_minor_ida, MINOR(dev->devt));
	percpu_ref_exit(&wdev->live);
	free_percpu(wdev->stats);
	kfree(wdev);
}

/**
 * wd_device_alloc() - allocate a WarpDrive device for a driver
 * @parent: the bus device behind it, or NULL for a virtual device
 * @ops: the driver's operations; must outlive the device's registration
 * @priv_size: size of the driver's private area, reachable as wdev->priv
 *
 * The caller owns one reference, dropped with wd_device_put(). Context:
 * process, may sleep.
 *
 * Return: the device, or an ERR_PTR().
 */
struct wd_device *wd_device_alloc(struct device *parent,
				  const struct wd_ops *ops, size_t priv_size)
{
	struct wd_device *wdev;
	size_t size = ALIGN(sizeof(*wdev), ARCH_KMALLOC_MINALIGN);

	if (!ops || !ops->submit || !ops->name)
		return ERR_PTR(-EINVAL);

	wdev = kzalloc(size + priv_size, GFP_KERNEL);
	if (!wdev)
		return ERR_PTR(-ENOMEM);

	wdev->stats = alloc_percpu(struct wd_stats);
	if (!wdev->stats)
		goto err_free;
	if (percpu_ref_init(&wdev->live, wd_live_release, 0, GFP_KERNEL))
		goto err_free_stats;

	init_completion(&wdev->drained);
	wdev->ops = ops;
	wdev->priv = priv_size ? (void *)wdev + size : NULL;
	wdev->nr_queues = 1;
	wdev->coalesce = true;
	wdev->file_max_inflight = WD_FILE_MAX_INFLIGHT;
	wdev->numa_node = parent ? dev_to_node(parent) : NUMA_NO_NODE;

	device_initialize(&wdev->dev);
	wdev->dev.class = &wd_class;
	wdev->dev.parent = parent;
	wdev->dev.release = wd_dev_release;
	return wdev;

err_free_stats:
	free_percpu(wdev->stats);
err_free:
	kfree(wdev);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_GPL(wd_device_alloc);

/**
 * wd_device_put() - drop the driver's reference from wd_device_alloc()
 * @wdev: the device
 *
 * After wd_device_unregister(), or instead of it when registration failed
 * or never happened. The device's memory (wdev->priv included) may be gone
 * when this returns.
 */
void wd_device_put(struct wd_device *wdev)
{
	put_device(&wdev->dev);
}
EXPORT_SYMBOL_GPL(wd_device_put);

/**
 * wd_device_register() - make a device visible to user space
 * @wdev: from wd_device_alloc(), capability fields filled in
 * @name: the device's name, unique among WarpDrive devices ("soft0")
 *
 * Creates /dev/warpdrive/<name> and /sys/class/warpdrive/<name>. From here
 * on ops->submit() may be called, from any CPU, concurrently. Context:
 * process, may sleep.
 *
 * Return: 0, or a negative errno (the device is then not registered and
 * the caller still owns its reference).
 */
int wd_device_register(struct wd_device *wdev, const char *name)
{
	int minor, ret;

	if (wdev->ops_mask & ~GENMASK_ULL(WD_OP_END - 1, 0))
		return -EINVAL;
	if (!wdev->nr_queues)
		return -EINVAL;
	if (hweight64(wdev->dev_flags & WD_DEV_F_MODES) != 1)
		return -EINVAL;
	/* working in the submitter's memory means handing faults back */
	if (!wd_dev_pinned(wdev) && (wdev->ops_mask & ~BIT_ULL(WD_OP_NOP)) &&
	    !wdev->ops->resume)
		return -EINVAL;
	/* ops->finish() needs every caller to wait for the request */
	if (wdev->ops->finish && !wd_dev_pinned(wdev))
		return -EINVAL;
	if (wd_dev_pinned(wdev)) {
		int op;

		/* the mappings are made for the bus device */
		if (!wdev->dev.parent)
			return -EINVAL;
		for (op = 0; op < WD_OP_END; op++)
			if ((wdev->ops_mask & BIT_ULL(op)) && !wd_op_pinnable(op))
				return -EINVAL;
	}

	ret = dev_set_name(&wdev->dev, "%s", name);
	if (ret)
		return ret;

	minor = ida_alloc_max(&wd_minor_ida, WD_MAX_DEVICES - 1, GFP_KERNEL);
	if (minor < 0)
		return minor;

	wdev->dev.devt = MKDEV(MAJOR(wd_devt), minor);
	wdev->dev.groups = wdev->groups;
	cdev_init(&wdev->cdev, &wd_fops);
	wdev->cdev.owner = THIS_MODULE;

	ret = cdev_device_add(&wdev->cdev, &wdev->dev);
	if (ret)
		goto err_free_minor;

	wdev->registered = true;
	dev_dbg(&wdev->dev, "registered by %s\n", wdev->ops->name);
	return 0;

err_free_minor:
	ida_free(&wd_minor_ida, minor);
	wdev->dev.devt = 0;
	return ret;
}
EXPORT_SYMBOL_GPL(wd_device_register);

/**
 * wd_device_unregister() - remove a device from user space and the driver
 * @wdev: a registered device
 *
 * Removes the device node; opens and submissions from files still open
 * fail with -ENODEV from here on. Waits until the driver has completed
 * every request it owns: the driver must keep completing them (or fail
 * them) while this runs. When it returns, no op of the driver is running
 * or will run for this device. The driver's reference is not dropped:
 * call wd_device_put() when done with wdev->priv.
 */
void wd_device_unregister(struct wd_device *wdev)
{
	if (WARN_ON(!wdev->registered))
		return;

	cdev_device_del(&wdev->cdev, &wdev->dev);
	percpu_ref_kill(&wdev->live);
	wait_for_completion(&wdev->drained);
	wdev->registered = false;
}
EXPORT_SYMBOL_GPL(wd_device_unregister);

/**
 * wd_complete() - the driver is done with a request
 * @rq: a request the driver got from ops->submit()
 *
 * @rq->res (and @rq->res2 where the op has a value result) must be set.
 * Context: any, hard interrupt included. @rq must not be touched after.
 */
void wd_complete(struct wd_req *rq)
{
	struct wd_sync_req *sr;

	/* The device's access ends with its ownership; pins go later. */
	if (rq->flags & WD_REQ_DMA)
		wd_dma_unmap(rq->dma);

	if (rq->flags & WD_REQ_URING) {
		wd_uring_complete(rq);
		return;
	}
	/*
	 * The ioctl's caller holds its file, and so the device, while it
	 * waits; one that was killed has left the request to be freed here.
	 */
	sr = container_of(rq, struct wd_sync_req, rq);
	wd_req_done(sr->wdev, rq);
	if (wd_sync_finish(sr))
		wd_sync_free(sr);
}
EXPORT_SYMBOL_GPL(wd_complete);

static int __init wd_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&wd_devt, 0, WD_MAX_DEVICES, "warpdrive");
	if (ret)
		return ret;

	ret = class_register(&wd_class);
	if (ret)
		goto err_unregister_chrdev;
	return 0;

err_unregister_chrdev:
	unregister_chrdev_region(wd_devt, WD_MAX_DEVICES);
	return ret;
}

static void __exit wd_exit(void)
{
	class_unregister(&wd_class);
	unregister_chrdev_region(wd_devt, WD_MAX_DEVICES);
	ida_destroy(&wd_minor_ida);
}

module_init(wd_init);
module_exit(wd_exit);
MODULE_DESCRIPTION("WarpDrive: accelerator offload through io_uring");
MODULE_LICENSE("GPL");
