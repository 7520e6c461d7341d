// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring path: file_operations.uring_cmd decodes and validates a
 * WarpDrive SQE, then either answers it at once (control commands, inline
 * NOPs) or hands it to the driver; the driver's completion, from whatever
 * context it comes, is turned into the CQE in the submitter's task.
 */
#include <linux/sched/mm.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include "wd_internal.h"

static inline struct io_uring_cmd *wd_req_to_cmd(struct wd_req *rq)
{
	return (struct io_uring_cmd *)((u8 *)rq -
				       offsetof(struct io_uring_cmd, pdu));
}

/*
 * Fields every WarpDrive command leaves alone; must be zero so that they
 * can be given a meaning later without breaking anyone.
 */
static int wd_check_reserved(struct wd_device *wdev, struct io_uring_cmd *cmd,
			     unsigned int issue_flags)
{
	const struct io_uring_sqe *sqe = cmd->sqe;

	/*
	 * Registered buffers stand for pinned pages: only a device that
	 * takes pages (pinned mode) can use them. io_uring has already
	 * checked sqe->buf_index against the ring's buffer table.
	 */
	if (cmd->flags & IORING_URING_CMD_FIXED) {
		if (!wd_dev_pinned(wdev))
			return -EOPNOTSUPP;
	} else if (READ_ONCE(sqe->buf_index)) {
		return -EINVAL;
	}
	/*
	 * An SQE128 SQE has 64 more bytes of cmd: only a descriptor in the
	 * SQE uses them.
	 */
	if ((issue_flags & IO_URING_F_SQE128) && cmd->cmd_op != WD_CMD_DESC &&
	    memchr_inv((const u8 *)sqe->cmd + sizeof(struct wd_sqe_cmd), 0,
		       sizeof(*sqe)))
		return -EINVAL;
	return 0;
}

static int wd_get_features(struct wd_device *wdev,
			   const struct io_uring_sqe *sqe)
{
	const struct wd_sqe_cmd *c = wd_sqe_cmd(sqe, struct wd_sqe_cmd);
	void __user *ubuf = u64_to_user_ptr(READ_ONCE(sqe->addr));
	u32 len = READ_ONCE(sqe->len);
	struct wd_features f;

	BUILD_BUG_ON(sizeof(f) != WD_FEATURES_SIZE_V0);

	if (READ_ONCE(sqe->file_index) || READ_ONCE(c->addr2) ||
	    READ_ONCE(c->arg))
		return -EINVAL;
	if (len < WD_FEATURES_SIZE_V0)
		return -EINVAL;

	/* Every byte, padding included, is written: start from zero. */
	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.abi_version = WD_ABI_VERSION;
	f.ops = wdev->ops_mask;
	f.op_flags = wd_all_op_flags();
	f.dev_flags = wdev->dev_flags;
	f.max_len = wdev->max_len;
	f.nr_queues = wdev->nr_queues;
	f.numa_node = wdev->numa_node;
	f.comp_formats = wdev->comp_formats;
	f.comp_max_len = wd_comp_max_len(wdev);
	/* a pinned-mode device cannot read descriptors in memory */
	f.cmds = WD_FEAT_CMD_DESC |
		 (wd_dev_pinned(wdev) ? 0 : WD_FEAT_CMD_BATCH);

	len = min_t(u32, len, sizeof(f));
	if (copy_to_user(ubuf, &f, len))
		return -EFAULT;
	return len;
}

static int wd_uring_ctrl(struct wd_device *wdev, struct io_uring_cmd *cmd)
{
	switch (WD_CMD_NR(cmd->cmd_op)) {
	case WD_CTRL_GET_FEATURES:
		return wd_get_features(wdev, cmd->sqe);
	default:
		return -EINVAL;
	}
}

/*
 * Completes in the issue path. A value result has to travel with the CQE,
 * which only io_uring_cmd_done() (or done32) can attach.
 */
static int wd_uring_done_now(struct io_uring_cmd *cmd, struct wd_req *rq,
			     unsigned int issue_flags)
{
	if (!(rq->flags & WD_REQ_CQE32))
		return rq->res;
	wd_cmd_done(cmd, rq->res, rq->res2, true, issue_flags);
	return -EIOCBQUEUED;
}

/*
 * Requests handed to the driver are marked cancelable, so that io_uring
 * can cancel them when their ring goes away or their task exits or execs
 * (IO_URING_F_CANCEL, see wd_uring_cancel()). 6.12's IORING_OP_ASYNC_CANCEL
 * does not look at URING_CMDs: those are the only cancellations a driver's
 * command can get.
 *
 * A marked command must end in io_uring_cmd_done(), which unmarks it. That
 * decides when to mark:
 *  - in the issue path proper (the ring's lock held), after the driver has
 *    accepted the request: a failing submit must be able to return its
 *    error to io_uring. The driver may have completed the
 *    request already, but its CQE comes from task work under the ring's
 *    lock, which is held here: the command is still there to mark.
 *  - from an io-wq worker (IOSQE_ASYNC, or a retry after the device's
 *    queue was full), which does not hold that lock while the task's task
 *    work may run, before handing it over: a completion must find the mark
 *    in place. Such a submit may block and has no -EAGAIN to give back, so
 *    a failure is completed through io_uring_cmd_done() like any result.
 */
static bool wd_uring_mark_early(unsigned int issue_flags)
{
	return issue_flags & IO_URING_F_UNLOCKED;
}

/*
 * io_uring wants a marked request to end. It has not posted its CQE yet
 * (that takes the ring's lock, held here), so the pdu is still ours; the
 * driver may have finished it already, in which case the mark is unseen.
 * Called again and again until the request completes: only ever mark.
 */
static void wd_uring_cancel(struct io_uring_cmd *cmd)
{
	wd_req_cancel(io_uring_cmd_to_pdu(cmd, struct wd_req));
}

/* Hand a validated request to the device, or run it right here. */
/*
 * A request takes a place on the device (wdev->live) and one of its file's
 * file_max_inflight: a bound on what one file (and so one ring) can hold
 * of the device and of the kernel's memory. Beyond it, -EBUSY: unlike
 * -EAGAIN, which io_uring would retry from a worker at once, it tells the
 * submitter to reap before it submits more.
 */
static int wd_uring_enter(struct wd_file *wf, struct wd_device *wdev)
{
	if (atomic_inc_return(&wf->inflight) >
	    READ_ONCE(wdev->file_max_inflight)) {
		atomic_dec(&wf->inflight);
		return -EBUSY;
	}
	if (!wd_device_enter(wdev)) {
		atomic_dec(&wf->inflight);
		return -ENODEV;
	}
	return 0;
}

static void wd_uring_exit(struct wd_file *wf, struct wd_device *wdev)
{
	wd_device_exit(wdev);
	atomic_dec(&wf->inflight);
}

/*
 * A request the issue path could not hand over without faulting or
 * waiting: a pinned-mode request whose pages were not all present, or one
 * whose driver asked for it (WD_SUBMIT_LATER). Its submitter pins the
 * pages and submits it in its own task work, where it may fault (and wait
 * for a userfaultfd, killably) holding no io_uring lock. Not -EAGAIN for
 * io-wq: 6.12 would issue it again reading the SQE from its SQ slot, which
 * the application may have reused by then.
 */
struct wd_later_work {
	struct callback_head	cb;
	struct io_uring_cmd	*cmd;
	struct wd_args		args;
};

static void wd_uring_later_work(struct callback_head *cb)
{
	struct wd_later_work *lw = container_of(cb, struct wd_later_work, cb);
	struct io_uring_cmd *cmd = lw->cmd;
	struct wd_req *rq = io_uring_cmd_to_pdu(cmd, struct wd_req);
	struct wd_file *wf = cmd->file->private_data;
	struct wd_device *wdev = wf->wdev;
	int ret = 0;

	if ((current->flags & PF_EXITING) || wd_req_canceled(rq))
		ret = -ECANCELED;
	else if (wd_dev_pinned(wdev) && wd_op_needs_mm(lw->args.op) &&
		 !(rq->flags & WD_REQ_DMA))
		ret = wd_dma_prepare(wdev, cmd->flags & IORING_URING_CMD_FIXED ?
				     cmd : NULL, &lw->args, IO_URING_F_UNLOCKED,
				     &rq->dma);
	if (!ret) {
		if (wd_dev_pinned(wdev) && wd_op_needs_mm(lw->args.op))
			rq->flags |= WD_REQ_DMA;
		this_cpu_inc(wdev->stats->submitted);
		ret = wdev->ops->submit(wdev, rq, &lw->args, 0);
		if (ret)
			this_cpu_dec(wdev->stats->submitted);
	}
	kfree(lw);
	if (!ret)
		return;
	wd_req_release(rq);
	wd_uring_exit(wf, wdev);
	/* LATER is for the issue path only: a driver bug here */
	if (WARN_ON_ONCE(ret == WD_SUBMIT_LATER))
		ret = -EIO;
	/* marked at issue: only io_uring_cmd_done() ends it */
	wd_cmd_done(cmd, ret == -ERESTARTSYS || ret == -EAGAIN ? -EINTR : ret,
		    0, rq->flags & WD_REQ_CQE32, IO_URING_F_UNLOCKED);
}

/* Returns -EIOCBQUEUED with the request on its way, or an error. */
static int wd_uring_later(struct io_uring_cmd *cmd, const struct wd_args *a,
			  unsigned int issue_flags)
{
	struct wd_later_work *lw = kmalloc(sizeof(*lw), GFP_KERNEL_ACCOUNT);

	if (!lw)
		return -ENOMEM;
	lw->cmd = cmd;
	lw->args = *a;
	init_task_work(&lw->cb, wd_uring_later_work);
	/* the task the request belongs to (an SQPOLL ring's SQ thread) */
	if (task_work_add(io_uring_cmd_get_task(cmd), &lw->cb, TWA_SIGNAL)) {
		kfree(lw);
		return -ECANCELED;
	}
	/* the issue path proper holds the ring's lock: the work waits for it */
	io_uring_cmd_mark_cancelable(cmd, issue_flags);
	return -EIOCBQUEUED;
}

static int wd_uring_issue(struct wd_device *wdev, struct io_uring_cmd *cmd,
			  struct wd_args *a, unsigned int issue_flags)
{
	struct wd_req *rq = io_uring_cmd_to_pdu(cmd, struct wd_req);
	struct wd_file *wf = cmd->file->private_data;
	unsigned int sflags = 0;
	int ret;

	/*
	 * A value result needs a 32-byte CQE: on a CQE32 ring every CQE is
	 * one, on a CQE_MIXED ring (7.x) only those asked for, so only ops
	 * with a value ask. 7.x task work does not pass the flag: note it.
	 */
	wd_req_init(rq, WD_REQ_URING |
		    ((issue_flags & IO_URING_F_CQE32) &&
		     a->op < WD_OP_END && wd_op_table[a->op].value ?
		     WD_REQ_CQE32 : 0), a);
	if (a->op == WD_OP_NOP && (a->flags & WD_NOP_F_INLINE))
		return wd_uring_done_now(cmd, rq, issue_flags);

	ret = wd_uring_enter(wf, wdev);
	if (ret)
		return ret;

	if (wd_should_execute(wdev, a)) {
		switch (wd_execute_inline(wdev, rq, a,
					  issue_flags & IO_URING_F_NONBLOCK)) {
		case WD_INLINE_DONE:
			wd_stats_inline(wdev, rq);
			wd_uring_exit(wf, wdev);
			return wd_uring_done_now(cmd, rq, issue_flags);
		case WD_INLINE_PART:
			/* what ran must not run again: no -EAGAIN from here */
			sflags |= WD_SUBMIT_FORCE;
			break;
		}
	}

	if (issue_flags & IO_URING_F_IOPOLL)
		rq->flags |= WD_REQ_POLLED;
	if (wd_dev_pinned(wdev) && wd_op_needs_mm(a->op)) {
		bool fixed = cmd->flags & IORING_URING_CMD_FIXED;

		ret = wd_dma_prepare(wdev, fixed ? cmd : NULL, a, issue_flags,
				     &rq->dma);
		/* a page not present, and nothing done yet */
		if (ret == -EAGAIN) {
			ret = wd_uring_later(cmd, a, issue_flags);
			if (ret == -EIOCBQUEUED)
				return ret;
		}
		if (ret) {
			wd_uring_exit(wf, wdev);
			return ret;
		}
		rq->flags |= WD_REQ_DMA;
	} else if (wd_op_needs_mm(a->op)) {
		rq->mm = current->mm;
		mmgrab(rq->mm);
	}
	if (issue_flags & IO_URING_F_NONBLOCK)
		sflags |= WD_SUBMIT_NOWAIT;

	if (wd_uring_mark_early(issue_flags))
		io_uring_cmd_mark_cancelable(cmd, issue_flags);
	/* Counted first: the completion may run on another CPU at once. */
	this_cpu_inc(wdev->stats->submitted);
	ret = wdev->ops->submit(wdev, rq, a, sflags);
	if (ret == WD_SUBMIT_LATER && (sflags & WD_SUBMIT_NOWAIT)) {
		/* nothing done yet: the submitter's task work submits it */
		ret = wd_uring_later(cmd, a, issue_flags);
		if (ret == -EIOCBQUEUED) {
			this_cpu_dec(wdev->stats->submitted);
			return ret;
		}
	}
	/*
	 * Not -EAGAIN: io_uring would issue the request again, and nothing
	 * tells whether the driver did something the user can see first. A
	 * driver's full queue takes the request past it instead.
	 */
	if (unlikely(ret == -EAGAIN || ret == WD_SUBMIT_LATER))
		ret = -ENOMEM;
	if (unlikely(ret)) {
		this_cpu_dec(wdev->stats->submitted);
		wd_req_release(rq);
		wd_uring_exit(wf, wdev);
		if (!wd_uring_mark_early(issue_flags))
			return ret;
		/* marked: only io_uring_cmd_done() may end it now */
		wd_cmd_done(cmd, ret == -ERESTARTSYS ? -EINTR : ret, 0,
			    rq->flags & WD_REQ_CQE32, issue_flags);
		return -EIOCBQUEUED;
	}
	if (!wd_uring_mark_early(issue_flags))
		io_uring_cmd_mark_cancelable(cmd, issue_flags);
	return -EIOCBQUEUED;
}

/* An op in one SQE: the operands are the SQE's own fields. */
static int wd_uring_op(struct wd_device *wdev, struct io_uring_cmd *cmd,
		       unsigned int issue_flags)
{
	const struct io_uring_sqe *sqe = cmd->sqe;
	const struct wd_sqe_cmd *c = wd_sqe_cmd(sqe, struct wd_sqe_cmd);
	u32 op = WD_CMD_NR(cmd->cmd_op);
	struct wd_args a;
	int ret;

	if (op >= WD_OP_END)
		return -EINVAL;
	a.op = op;
	a.flags = READ_ONCE(sqe->file_index);
	a.len = READ_ONCE(sqe->len);
	a.addr = READ_ONCE(sqe->addr);
	a.addr2 = READ_ONCE(c->addr2);
	a.arg = READ_ONCE(c->arg);
	ret = wd_args_check(wdev, &a);
	if (ret)
		return ret;
	return wd_uring_issue(wdev, cmd, &a, issue_flags);
}

/*
 * A batch: only the header is checked here. The descriptors are the
 * device's to read, validate and complete, each with its own record.
 */
static int wd_uring_batch(struct wd_device *wdev, struct io_uring_cmd *cmd,
			  unsigned int issue_flags)
{
	const struct io_uring_sqe *sqe = cmd->sqe;
	const struct wd_sqe_cmd *c = wd_sqe_cmd(sqe, struct wd_sqe_cmd);
	struct wd_args a = { .op = WD_OP_BATCH };

	if (WD_CMD_NR(cmd->cmd_op) || READ_ONCE(sqe->file_index) ||
	    READ_ONCE(c->addr2) || READ_ONCE(c->arg))
		return -EINVAL;
	/* Descriptors are read by the CPU: a pinned device has no use. */
	if (wd_dev_pinned(wdev))
		return -EOPNOTSUPP;
	a.addr = READ_ONCE(sqe->addr);
	a.len = READ_ONCE(sqe->len);
	if (!a.len || a.len > WD_BATCH_MAX)
		return -EINVAL;
	return wd_uring_issue(wdev, cmd, &a, issue_flags);
}

/*
 * A descriptor in a 128-byte SQE: validated as a batch's, run as an op,
 * with the CQE for its record. It is copied out of the SQE, which the
 * application shares, before anything looks at it.
 */
static int wd_uring_desc(struct wd_device *wdev, struct io_uring_cmd *cmd,
			 unsigned int issue_flags)
{
	const struct io_uring_sqe *sqe = cmd->sqe;
	struct wd_sqe_desc sd;
	struct wd_args a;
	int ret;

	if (!(issue_flags & IO_URING_F_SQE128))
		return -EINVAL;
	if (READ_ONCE(sqe->addr) || READ_ONCE(sqe->len) ||
	    READ_ONCE(sqe->file_index))
		return -EINVAL;
	memcpy(&sd, wd_sqe128_cmd(sqe, struct wd_sqe_desc), sizeof(sd));
	if (sd.desc.status || sd.desc.done || sd.desc.result ||
	    sd.__resv[0] || sd.__resv[1])
		return -EINVAL;
	ret = wd_desc_to_args(wdev, &sd.desc, &a);
	if (ret)
		return ret;
	return wd_uring_issue(wdev, cmd, &a, issue_flags);
}

/*
 * WD_NOP_F_INLINE exists to measure the floor of the URING_CMD path, so it
 * is answered before anything else, with every field it leaves alone still
 * checked. Anything unusual (SQE128, CQE32, a registered buffer, a flag,
 * an operand) takes the general path, which answers it the same way.
 */
static bool wd_uring_nop_fast(struct io_uring_cmd *cmd,
			      unsigned int issue_flags)
{
	const struct io_uring_sqe *sqe = cmd->sqe;
	const struct wd_sqe_cmd *c = wd_sqe_cmd(sqe, struct wd_sqe_cmd);

	/* a cancellation first: its cmd->sqe may be gone */
	return !(issue_flags & (IO_URING_F_CANCEL | IO_URING_F_SQE128 |
				IO_URING_F_CQE32)) &&
	       cmd->cmd_op == WD_CMD_NOP &&
	       !(cmd->flags & IORING_URING_CMD_FIXED) &&
	       READ_ONCE(sqe->file_index) == WD_NOP_F_INLINE &&
	       !READ_ONCE(sqe->addr) && !READ_ONCE(sqe->len) &&
	       !READ_ONCE(c->addr2) && !READ_ONCE(sqe->buf_index);
}

/*
 * Everything but the inline NOP: kept out of line, so that the NOP's path
 * sets up no stack frame for the others' decoding.
 */
static noinline int wd_uring_cmd_slow(struct io_uring_cmd *cmd,
				      unsigned int issue_flags)
{
	struct wd_device *wdev = wd_file_dev(cmd->file);
	u32 cmd_op = cmd->cmd_op;
	int ret;

	/* not an issue: cmd->sqe may be gone, and the request is in flight */
	if (unlikely(issue_flags & IO_URING_F_CANCEL)) {
		wd_uring_cancel(cmd);
		return 0;
	}
	if (WD_CMD_MAGIC_OF(cmd_op) != WD_CMD_MAGIC)
		return -EINVAL;
	ret = wd_check_reserved(wdev, cmd, issue_flags);
	if (ret)
		return ret;

	/*
	 * Data ops make the kernel write memory on the caller's behalf: they
	 * need a file opened for writing, as write(2) would. Control
	 * commands only describe the device, and a NOP touches nothing.
	 */
	if (WD_CMD_CLASS(cmd_op) != WD_CLASS_CTRL && cmd_op != WD_CMD_NOP &&
	    !(cmd->file->f_mode & FMODE_WRITE))
		return -EBADF;

	switch (WD_CMD_CLASS(cmd_op)) {
	case WD_CLASS_CTRL:
		return wd_uring_ctrl(wdev, cmd);
	case WD_CLASS_OP:
		ret = wd_uring_op(wdev, cmd, issue_flags);
		break;
	case WD_CLASS_BATCH:
		if (cmd_op == WD_CMD_DESC)
			ret = wd_uring_desc(wdev, cmd, issue_flags);
		else
			ret = wd_uring_batch(wdev, cmd, issue_flags);
		break;
	default:
		return -EINVAL;
	}
	/*
	 * Never -EAGAIN: io_uring would issue the request again from a
	 * worker, and 6.12 has that reissue read the SQE from its SQ slot,
	 * which the application may have reused by then (io_uring_cmd()
	 * copies the SQE at the -EAGAIN, but cmd->sqe is left pointing at
	 * the slot). Nothing returns it; this is the backstop.
	 */
	if (unlikely(ret == -EAGAIN))
		ret = -ENOMEM;
	return ret;
}

int wd_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	if (wd_uring_nop_fast(cmd, issue_flags))
		return 0;
	return wd_uring_cmd_slow(cmd, issue_flags);
}

static void wd_uring_post(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct wd_req *rq = io_uring_cmd_to_pdu(cmd, struct wd_req);

	wd_req_finish(wd_file_dev(cmd->file), rq);
	wd_req_release(rq);
	/*
	 * Also when the task is exiting (IO_URING_F_TASK_DEAD, or the task
	 * work canceled on 7.x): the CQE is never seen then, but io_uring
	 * still needs the request back.
	 */
	wd_cmd_done(cmd, rq->res, rq->res2, rq->flags & WD_REQ_CQE32,
		    issue_flags);
}

WD_CMD_TASK_WORK(wd_uring_task_done, wd_uring_post)

/*
 * The request's submitter faults in what the driver stopped at, then hands
 * the request back to the driver. This is task work of the submitting
 * task's own (not io_uring's: io_uring runs its task work under the ring's
 * lock, and a fault that waits there would hold up everyone on the ring),
 * queued with TWA_SIGNAL, which also wakes a submitter asleep in
 * io_uring_enter() waiting for this very CQE. It runs where the task runs
 * task work: on its way back to user space, in io_uring's wait loop, in the
 * SQPOLL thread's loop, or at exit (then only to let go).
 */
static void wd_uring_fault_work(struct callback_head *cb)
{
	struct wd_fault *fault = container_of(cb, struct wd_fault, cb);
	struct wd_req *rq = fault->rq;
	struct wd_device *wdev = wd_file_dev(wd_req_to_cmd(rq)->file);
	int err;

	if (current->flags & PF_EXITING) {
		wd_req_cancel(rq);
		err = -ECANCELED;
	} else {
		err = wd_fault_in(rq);
	}
	wdev->ops->resume(wdev, rq, fault, err);
}

/* The submitting task (io_uring keeps it while the request is in flight). */
bool wd_uring_owner_gone(const struct wd_req *rq)
{
	struct io_uring_cmd *cmd = wd_req_to_cmd((struct wd_req *)rq);

	return READ_ONCE(io_uring_cmd_get_task(cmd)->flags) & PF_EXITING;
}

struct wd_file *wd_uring_file(const struct wd_req *rq)
{
	return wd_req_to_cmd((struct wd_req *)rq)->file->private_data;
}

int wd_uring_fault(struct wd_req *rq)
{
	struct task_struct *task = io_uring_cmd_get_task(wd_req_to_cmd(rq));
	struct wd_fault *fault = rq->fault;

	fault->rq = rq;
	init_task_work(&fault->cb, wd_uring_fault_work);
	/* past its last task work: exiting, nobody to fault for */
	if (task_work_add(task, &fault->cb, TWA_SIGNAL))
		return -ECANCELED;
	return 0;
}

/*
 * Called through wd_complete() by the driver, from any context. The CQE
 * must be posted from the submitter's task; io_uring batches these task
 * works, and the lazy variant lets a waiter sleep until enough CQEs for
 * its wait are ready rather than waking it per completion.
 */
void wd_uring_complete(struct wd_req *rq)
{
	struct io_uring_cmd *cmd = wd_req_to_cmd(rq);
	struct wd_file *wf = cmd->file->private_data;

	wd_req_done(wf->wdev, rq);
	atomic_dec(&wf->inflight);
	io_uring_cmd_do_in_task_lazy(cmd, wd_uring_task_done);
}

/*
 * An IORING_SETUP_IOPOLL ring waits for its requests here instead of
 * sleeping until the interrupt. The driver's poll completes what it finds
 * through wd_complete(), as its interrupt handler would, so the CQE still
 * comes from task work, run by the polling loop itself: one path, and a
 * request found by another ring's poll still reaches its own ring.
 *
 * The request may have been completed already (its task work not run yet)
 * and unregistration may be under way: polling is allowed only while the
 * device still counts a request in flight, which keeps the driver there.
 */
int wd_uring_iopoll(struct io_uring_cmd *cmd, struct io_comp_batch *iob,
		    unsigned int poll_flags)
{
	struct wd_device *wdev = wd_file_dev(cmd->file);
	int ret;

	if (!wdev->ops->poll || !percpu_ref_tryget(&wdev->live))
		return 0;
	ret = wdev->ops->poll(wdev);
	wd_device_exit(wdev);
	return ret;
}
