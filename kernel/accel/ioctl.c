// SPDX-License-Identifier: GPL-2.0
/*
 * WD_IOC_SUBMIT: one descriptor, synchronously, for programs that are not
 * on io_uring. The descriptor runs exactly as the only element of a batch
 * would, so validation, results and the completion record are those of
 * the batch path; only the return value differs (what a CQE's res would
 * be for the op).
 */
#include <linux/fs.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include "wd_internal.h"

/*
 * The driver always completes (see struct wd_ops), so the request has to
 * be waited for even when the caller is killed: cancel it first, so that
 * the wait is for the driver's next stopping point, not the whole request.
 */
static void wd_sync_wait(struct wd_sync_req *sr)
{
	if (!wait_for_completion_killable(&sr->done))
		return;
	wd_req_cancel(&sr->rq);
	wait_for_completion(&sr->done);
}

static int wd_ioctl_submit(struct wd_device *wdev, struct wd_desc __user *ud)
{
	struct wd_args a = { .op = WD_OP_BATCH, .len = 1 };
	struct wd_sync_req sr;
	s32 status;
	u32 done;
	u64 result;
	u8 op;
	int ret;

	a.addr = (u64)(unsigned long)ud;
	wd_req_init(&sr.rq, WD_REQ_SYNC, &a);

	if (!wd_device_enter(wdev))
		return -ENODEV;

	if (wd_should_execute(wdev, &a) && wd_execute_inline(wdev, &sr.rq, &a)) {
		wd_stats_inline(wdev, &sr.rq);
		wd_device_exit(wdev);
	} else {
		init_completion(&sr.done);
		sr.wdev = wdev;
		sr.rq.mm = current->mm;
		mmgrab(sr.rq.mm);
		this_cpu_inc(wdev->stats->submitted);
		ret = wdev->ops->submit(wdev, &sr.rq, &a, 0);
		if (ret) {
			this_cpu_dec(wdev->stats->submitted);
			wd_device_exit(wdev);
			mmdrop(sr.rq.mm);
			return ret;
		}
		wd_sync_wait(&sr);
		mmdrop(sr.rq.mm);
	}
	if (sr.rq.res < 0)
		return sr.rq.res;

	/* The record is the truth; turn it into a CQE-style result. */
	if (get_user(op, &ud->op) || get_user(status, &ud->status) ||
	    get_user(done, &ud->done) || get_user(result, &ud->result))
		return -EFAULT;
	if (status)
		return status;
	if (op == WD_OP_COMPARE || op == WD_OP_COMPARE_PATTERN)
		return result;
	return done;
}

/*
 * A pinned-mode device cannot read descriptors: the core does, runs the
 * descriptor as a single request and writes its record back itself.
 */
static int wd_ioctl_submit_pinned(struct wd_device *wdev,
				  struct wd_desc __user *ud)
{
	struct wd_sync_req sr;
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

	wd_req_init(&sr.rq, WD_REQ_SYNC, &a);
	if (!wd_device_enter(wdev))
		return -ENODEV;
	if (wd_op_needs_mm(a.op)) {
		ret = wd_dma_prepare(wdev, NULL, &a, &sr.rq.dma);
		if (ret) {
			wd_device_exit(wdev);
			goto record;
		}
		sr.rq.flags |= WD_REQ_DMA;
	}
	init_completion(&sr.done);
	sr.wdev = wdev;
	this_cpu_inc(wdev->stats->submitted);
	ret = wdev->ops->submit(wdev, &sr.rq, &a, 0);
	if (ret) {
		this_cpu_dec(wdev->stats->submitted);
		wd_req_release(&sr.rq);
		wd_device_exit(wdev);
		goto record;
	}
	wd_sync_wait(&sr);
	wd_req_release(&sr.rq);

	/* the record of a descriptor: see the op table in the uAPI header */
	ret = min(sr.rq.res, 0);
	done = max(sr.rq.res, 0);
	result = ret ? 0 : sr.rq.res2;
record:
	if (put_user(ret, &ud->status) || put_user(done, &ud->done) ||
	    put_user(result, &ud->result))
		return -EFAULT;
	if (ret)
		return ret;
	if (a.op == WD_OP_COMPARE || a.op == WD_OP_COMPARE_PATTERN)
		return result;
	return done;
}

long wd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wd_device *wdev = file->private_data;
	struct wd_desc __user *ud = (struct wd_desc __user *)arg;

	switch (cmd) {
	case WD_IOC_SUBMIT:
		if (wd_dev_pinned(wdev))
			return wd_ioctl_submit_pinned(wdev, ud);
		return wd_ioctl_submit(wdev, ud);
	default:
		return -ENOTTY;
	}
}
