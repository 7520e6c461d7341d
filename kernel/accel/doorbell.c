// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbell coalescing. A doorbell is an uncached write the device has to
 * act on; ringing it once per SQE when io_uring issues thirty-two in a row
 * wastes both sides' time. io_uring holds a block plug while it issues a
 * batch of SQEs (more than two, for ops marked .plug, URING_CMD among
 * them), and a plug carries callbacks that run when the batch ends or the
 * submitter sleeps: a driver queues requests without ringing while the plug
 * is held, and rings once from the callback.
 */
#include <linux/blkdev.h>
#include "wd_internal.h"

#ifdef CONFIG_BLOCK
struct wd_plug {
	struct blk_plug_cb	cb;
	struct wd_device	*wdev;
};

/* The batch is over (or the submitter is about to sleep): ring once. */
static void wd_unplug(struct blk_plug_cb *cb, bool from_schedule)
{
	struct wd_plug *p = container_of(cb, struct wd_plug, cb);
	struct wd_device *wdev = p->wdev;

	wdev->ops->commit(wdev, cb->data);
	wd_device_exit(wdev);
	kfree(p);
}
#endif

/**
 * wd_doorbell_defer() - may ops->submit() leave the doorbell for later?
 * @wdev: the device
 * @queue: the driver's queue the request goes to (passed to ops->commit())
 *
 * True when the submitter holds a plug (it is issuing a batch) and the
 * driver has ops->commit(): the core then calls ops->commit(@wdev, @queue)
 * exactly once when the plug is released, however many requests were
 * deferred to it. False otherwise: ring now.
 *
 * Context: the submitting task (ops->submit()); does not sleep.
 */
bool wd_doorbell_defer(struct wd_device *wdev, void *queue)
{
#ifdef CONFIG_BLOCK
	struct blk_plug_cb *cb;
	struct wd_plug *p;

	if (!wdev->ops->commit || !current->plug || !READ_ONCE(wdev->coalesce))
		return false;
	cb = blk_check_plugged(wd_unplug, queue, sizeof(*p));
	if (!cb)
		return false;
	p = container_of(cb, struct wd_plug, cb);
	if (!p->wdev) {
		/*
		 * New callback: it keeps the driver alive until it has run,
		 * since the requests it rings for may all complete first.
		 * The caller's own reference (its request's) makes this safe.
		 */
		percpu_ref_get(&wdev->live);
		p->wdev = wdev;
	}
	return true;
#else
	/* no block layer, no plugs: every submission rings */
	return false;
#endif
}
EXPORT_SYMBOL_GPL(wd_doorbell_defer);

/**
 * wd_doorbell_count() - count a doorbell write (sysfs "doorbells")
 * @wdev: the device
 *
 * Context: any.
 */
void wd_doorbell_count(struct wd_device *wdev)
{
	this_cpu_inc(wdev->stats->doorbells);
}
EXPORT_SYMBOL_GPL(wd_doorbell_count);
