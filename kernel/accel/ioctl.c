// SPDX-License-Identifier: GPL-2.0
/*
 * WD_IOC_SUBMIT: one descriptor, synchronously, for programs that are not
 * on io_uring. The descriptor runs exactly as the only element of a batch
 * would, so validation, results and the completion record are those of
 * the batch path; only the return value differs (what a CQE's res would
 * be for the op).
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include "wd_internal.h"

static struct wd_sync_req *wd_sync_alloc(struct wd_file *wf,
					 const struct wd_args *a)
{
	struct wd_sync_req *sr = kzalloc(sizeof(*sr), GFP_KERNEL_ACCOUNT);

	if (!sr)
		return NULL;
	sr->wdev = wf->wdev;
	sr->wf = wf;
	init_completion(&sr->done);
	spin_lock_init(&sr->lock);
	wd_req_init(&sr->rq, WD_REQ_SYNC, a);
	return sr;
}

/* The request is over and nobody waits for it: let go of it all. */
void wd_sync_free(struct wd_sync_req *sr)
{
	wd_req_release(&sr->rq);
	kfree(sr);
}

/*
 * The driver is done with the request (from wd_complete()). Returns true
 * when the caller has left, so the request is the completer's to free.
 */
bool wd_sync_finish(struct wd_sync_req *sr)
{
	unsigned long flags;
	bool gone;

	spin_lock_irqsave(&sr->lock, flags);
	sr->finished = true;
	gone = sr->abandoned;
	if (!gone)
		complete(&sr->done);
	spin_unlock_irqrestore(&sr->lock, flags);
	return gone;
}

/* The driver hands the request over for a fault (see wd_req_fault()). */
int wd_sync_fault(struct wd_sync_req *sr)
{
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&sr->lock, flags);
	if (sr->abandoned) {
		ret = -ECANCELED;
	} else {
		sr->fault_pending = true;
		complete(&sr->done);
	}
	spin_unlock_irqrestore(&sr->lock, flags);
	return ret;
}

/* Is the request with the caller for a fault? Takes it if so. */
static bool wd_sync_take_fault(struct wd_sync_req *sr)
{
	bool pending;

	spin_lock_irq(&sr->lock);
	pending = sr->fault_pending;
	sr->fault_pending = false;
	spin_unlock_irq(&sr->lock);
	return pending;
}

/*
 * A killed caller leaves its request to the driver, canceled, unless it
 * has just finished. Returns true when the caller may go (the request is
 * no longer its own), false when it finished first.
 */
static bool wd_sync_abandon(struct wd_sync_req *sr)
{
	bool pending;

	wd_req_cancel(&sr->rq);
	spin_lock_irq(&sr->lock);
	if (sr->finished) {
		spin_unlock_irq(&sr->lock);
		return false;
	}
	sr->abandoned = true;
	pending = sr->fault_pending;
	sr->fault_pending = false;
	spin_unlock_irq(&sr->lock);
	/* a fault handed over just before: the driver ends the request */
	if (pending)
		sr->wdev->ops->resume(sr->wdev, &sr->rq, sr->rq.fault,
				      -ECANCELED);
	return true;
}

/*
 * Wait for the driver to finish the request, faulting in on the way what
 * it asks for. A fatal signal cancels the request; with @may_leave the
 * caller then returns at once (-EINTR) and the request, now the driver's
 * alone, is freed when it completes. Without (the caller must unpin what
 * it pinned), the wait goes on to the driver's next stopping point.
 */
static int wd_sync_wait(struct wd_sync_req *sr, bool may_leave)
{
	struct wd_device *wdev = sr->wdev;
	bool killed = false;

	for (;;) {
		if (killed) {
			wait_for_completion(&sr->done);
		} else if (wait_for_completion_killable(&sr->done)) {
			killed = true;
			if (may_leave && wd_sync_abandon(sr))
				return -EINTR;
			wd_req_cancel(&sr->rq);
			continue;
		}
		if (!wd_sync_take_fault(sr))
			return 0;
		wdev->ops->resume(wdev, &sr->rq, sr->rq.fault,
				  wd_fault_in(&sr->rq));
	}
}

/*
 * The descriptor runs as a batch of one; the return value is its result
 * as a CQE's res would be for the op, as the executor saw it.
 */
static int wd_ioctl_submit(struct wd_file *wf, struct wd_desc __user *ud)
{
	struct wd_args a = { .op = WD_OP_BATCH, .len = 1 };
	struct wd_device *wdev = wf->wdev;
	struct wd_sync_req *sr;
	int ret;

	a.addr = (u64)(unsigned long)ud;
	sr = wd_sync_alloc(wf, &a);
	if (!sr)
		return -ENOMEM;

	ret = -ENODEV;
	if (!wd_device_enter(wdev))
		goto out;

	if (wd_should_execute(wdev, &a) &&
	    wd_execute_inline(wdev, &sr->rq, &a, false) == WD_INLINE_DONE) {
		wd_stats_inline(wdev, &sr->rq);
		wd_device_exit(wdev);
	} else {
		sr->rq.mm = current->mm;
		mmgrab(sr->rq.mm);
		this_cpu_inc(wdev->stats->submitted);
		ret = wdev->ops->submit(wdev, &sr->rq, &a, 0);
		if (ret) {
			this_cpu_dec(wdev->stats->submitted);
			wd_device_exit(wdev);
			goto out;
		}
		/* killed: the request is the driver's to free now */
		if (wd_sync_wait(sr, true))
			return -EINTR;
	}
	/* the batch failed whole (its record unwritable), or the op's result */
	ret = sr->rq.res < 0 ? sr->rq.res : (s32)sr->rq.res2;
out:
	wd_sync_free(sr);
	return ret;
}

/*
 * A pinned-mode device cannot read descriptors: the core does, runs the
 * descriptor as a single request and writes its record back itself.
 */
static int wd_ioctl_submit_pinned(struct wd_file *wf,
				  struct wd_desc __user *ud)
{
	struct wd_device *wdev = wf->wdev;
	struct wd_sync_req *sr = NULL;
	struct wd_desc d;
	struct wd_args a;
	u64 result = 0;
	u32 done = 0;
	int ret;

	if (copy_from_user(&d, ud, sizeof(d)))
		return -EFAULT;
	ret = wd_desc_to_args(wdev, &d, &a);
	if (ret)
		goto record;

	sr = wd_sync_alloc(wf, &a);
	if (!sr)
		return -ENOMEM;
	if (!wd_device_enter(wdev)) {
		wd_sync_free(sr);
		return -ENODEV;
	}
	if (wd_op_needs_mm(a.op)) {
		ret = wd_dma_prepare(wdev, NULL, &a, 0, &sr->rq.dma);
		if (ret) {
			wd_device_exit(wdev);
			goto record;
		}
		sr->rq.flags |= WD_REQ_DMA;
	}
	this_cpu_inc(wdev->stats->submitted);
	ret = wdev->ops->submit(wdev, &sr->rq, &a, 0);
	if (ret) {
		this_cpu_dec(wdev->stats->submitted);
		wd_device_exit(wdev);
		goto record;
	}
	/* the pages are unpinned here, after the device is done with them */
	wd_sync_wait(sr, false);
	wd_req_finish(wdev, &sr->rq);

	/* the record of a descriptor: see the op table in the uAPI header */
	ret = min(sr->rq.res, 0);
	done = max(sr->rq.res, 0);
	result = ret ? 0 : sr->rq.res2;
record:
	if (sr)
		wd_sync_free(sr);
	if (put_user(ret, &ud->status) || put_user(done, &ud->done) ||
	    put_user(result, &ud->result))
		return -EFAULT;
	if (ret)
		return ret;
	if (a.op == WD_OP_COMPARE || a.op == WD_OP_COMPARE_PATTERN)
		return result;
	return done;
}

/* The per-file state of the driver that serves @rq (ops->open). */
void *wd_req_file_priv(const struct wd_req *rq)
{
	if (rq->flags & WD_REQ_SYNC)
		return container_of(rq, struct wd_sync_req, rq)->wf->priv;
	return wd_uring_file(rq)->priv;
}
EXPORT_SYMBOL_GPL(wd_req_file_priv);

long wd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wd_file *wf = file->private_data;
	struct wd_device *wdev = wf->wdev;
	struct wd_desc __user *ud = (struct wd_desc __user *)arg;
	long ret;

	switch (cmd) {
	case WD_IOC_SUBMIT:
		/* as for the io_uring path: requests need a writable file */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (wd_dev_pinned(wdev))
			return wd_ioctl_submit_pinned(wf, ud);
		return wd_ioctl_submit(wf, ud);
	default:
		if (!wdev->ops->ioctl)
			return -ENOTTY;
		/* what a driver's ioctls set up serves requests: as they do */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		/* the driver stays while the call is in it */
		if (!wd_device_enter(wdev))
			return -ENODEV;
		ret = wdev->ops->ioctl(wdev, wf->priv, cmd, arg);
		wd_device_exit(wdev);
		return ret;
	}
}
