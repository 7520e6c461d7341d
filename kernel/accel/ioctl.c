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
		/* the driver always completes: see struct wd_ops */
		wait_for_completion(&sr.done);
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

long wd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct wd_device *wdev = file->private_data;

	switch (cmd) {
	case WD_IOC_SUBMIT:
		return wd_ioctl_submit(wdev, (struct wd_desc __user *)arg);
	default:
		return -ENOTTY;
	}
}
