// SPDX-License-Identifier: GPL-2.0
/*
 * soft: the WarpDrive software engine, the reference device every test and
 * benchmark can run against.
 *
 * It behaves like a device: each queue has a submission list that
 * ops->submit() appends to, a doorbell (waking the queue's engine thread)
 * and an engine thread that executes requests and completes them from its
 * own context, as a device's interrupt would. Nothing is completed in the
 * issue path, so the asynchronous completion path is always exercised.
 *
 * Knobs (module parameters at load, sysfs afterwards where noted):
 *   queues     number of queues, one engine thread each (load time)
 *   delay_us   /sys/class/warpdrive/soft0/delay_us: the engine waits this
 *              long before each request, to keep requests in flight
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "../wd_driver.h"

static unsigned int queues = 1;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "Queues (and engine threads) of soft0 (1..64)");

#define WD_SOFT_MAX_QUEUES	64

struct wd_soft_queue {
	struct llist_head	pending;	/* submitted, not yet taken */
	struct task_struct	*engine;
	struct wd_soft		*soft;
};

struct wd_soft {
	struct wd_device	*wdev;
	unsigned int		delay_us;
	unsigned int		nr_queues;
	struct wd_soft_queue	queue[] __counted_by(nr_queues);
};

static void wd_soft_execute(struct wd_soft *soft, struct wd_req *rq)
{
	unsigned int delay = READ_ONCE(soft->delay_us);

	if (delay)
		fsleep(delay);

	/* NOP: the core has already set the result it must complete with. */
	wd_complete(rq);
}

static int wd_soft_engine(void *data)
{
	struct wd_soft_queue *q = data;
	struct wd_req *rq, *next;
	struct llist_node *batch;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (llist_empty(&q->pending)) {
			/*
			 * Stopping only ever happens after unregistration has
			 * drained every request, so nothing is left behind.
			 */
			if (kthread_should_stop())
				break;
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);

		/* Take everything at once; restore submission order. */
		batch = llist_reverse_order(llist_del_all(&q->pending));
		llist_for_each_entry_safe(rq, next, batch, node)
			wd_soft_execute(q->soft, rq);
		cond_resched();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* The doorbell: only an empty-to-non-empty transition needs a wakeup. */
static int wd_soft_submit(struct wd_device *wdev, struct wd_req *rq)
{
	struct wd_soft *soft = wdev->priv;
	struct wd_soft_queue *q;

	q = &soft->queue[raw_smp_processor_id() % soft->nr_queues];
	if (llist_add(&rq->node, &q->pending))
		wake_up_process(q->engine);
	return 0;
}

static const struct wd_ops wd_soft_ops = {
	.owner	= THIS_MODULE,
	.name	= "soft",
	.submit	= wd_soft_submit,
};

static ssize_t delay_us_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	return sysfs_emit(buf, "%u\n", READ_ONCE(soft->delay_us));
}

static ssize_t delay_us_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	/* A second per request is plenty to keep anything in flight. */
	if (val > USEC_PER_SEC)
		return -EINVAL;
	WRITE_ONCE(soft->delay_us, val);
	return count;
}
static DEVICE_ATTR_RW(delay_us);

static struct attribute *wd_soft_attrs[] = {
	&dev_attr_delay_us.attr,
	NULL,
};
ATTRIBUTE_GROUPS(wd_soft);

static struct wd_device *wd_soft0;

static void wd_soft_stop_engines(struct wd_soft *soft, unsigned int n)
{
	while (n--)
		kthread_stop(soft->queue[n].engine);
}

static int __init wd_soft_init(void)
{
	struct wd_device *wdev;
	struct wd_soft *soft;
	unsigned int i;
	int ret;

	if (!queues || queues > WD_SOFT_MAX_QUEUES)
		return -EINVAL;

	wdev = wd_device_alloc(NULL, &wd_soft_ops,
			       struct_size(soft, queue, queues));
	if (IS_ERR(wdev))
		return PTR_ERR(wdev);

	soft = wdev->priv;
	soft->wdev = wdev;
	soft->nr_queues = queues;
	wdev->ops_mask = BIT_ULL(WD_OP_NOP);
	wdev->dev_flags = WD_DEV_F_CPU_SVA;
	wdev->max_len = 0;
	wdev->nr_queues = queues;
	wdev->groups = wd_soft_groups;

	for (i = 0; i < queues; i++) {
		struct wd_soft_queue *q = &soft->queue[i];

		init_llist_head(&q->pending);
		q->soft = soft;
		q->engine = kthread_create(wd_soft_engine, q, "wd_soft0/%u", i);
		if (IS_ERR(q->engine)) {
			ret = PTR_ERR(q->engine);
			goto err_stop_engines;
		}
		wake_up_process(q->engine);
	}

	ret = wd_device_register(wdev, "soft0");
	if (ret)
		goto err_stop_engines;

	wd_soft0 = wdev;
	return 0;

err_stop_engines:
	wd_soft_stop_engines(soft, i);
	wd_device_put(wdev);
	return ret;
}

static void __exit wd_soft_exit(void)
{
	struct wd_soft *soft = wd_soft0->priv;

	/* Engines keep running until unregistration has drained them. */
	wd_device_unregister(wd_soft0);
	wd_soft_stop_engines(soft, soft->nr_queues);
	wd_device_put(wd_soft0);
}

module_init(wd_soft_init);
module_exit(wd_soft_exit);
MODULE_DESCRIPTION("WarpDrive software engine");
MODULE_LICENSE("GPL");
