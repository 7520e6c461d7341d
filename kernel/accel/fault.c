// SPDX-License-Identifier: GPL-2.0
/*
 * Faults on the submitter's memory, resolved by the submitter.
 *
 * A driver working in the submitter's address space (the software engine,
 * an SVA device without blocking page requests) must not wait for a page
 * that is not present: the wait may never end (a userfaultfd range nobody
 * serves, a FUSE file whose daemon hangs), the waiter is shared by every
 * user of the device, and a kernel thread gets no signal. So the driver
 * stops such a request with its progress kept and passes it to
 * wd_req_fault(). The core then has whoever submitted the request fault
 * the range in, in its own context:
 *  - io_uring: task work of the submitting task (for an SQPOLL ring, the
 *    SQ thread, whose address space the operands are in), queued with
 *    task_work_add() and run outside every io_uring lock;
 *  - the ioctl: the caller, which is waiting for the request anyway.
 * Either way the fault is taken as read(2) would take it on the same
 * buffer: killable, charged to that task, stalling nobody else. Then the
 * request goes back to the driver through ops->resume().
 */
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include "wd_internal.h"

/**
 * wd_req_fault() - a request stopped at a page that is not present
 * @rq: a request the driver owns (from ops->submit())
 * @fault: the range the submitter should fault in; the driver keeps it
 *	(and its own state of the request) until ops->resume()
 *
 * Context: any context the driver completes requests from, but not hard
 * interrupt.
 *
 * Return: 0 when the core has taken the request: the driver owns it again
 * only once ops->resume() is called for it. Otherwise a negative errno
 * (-ECANCELED: the submitter no longer waits for it): the driver keeps the
 * request and ends it at that point with that error.
 */
int wd_req_fault(struct wd_req *rq, struct wd_fault *fault)
{
	if (WARN_ON_ONCE(!fault->len))
		return -EFAULT;
	rq->fault = fault;
	if (rq->flags & WD_REQ_URING)
		return wd_uring_fault(rq);
	return wd_sync_fault(container_of(rq, struct wd_sync_req, rq));
}
EXPORT_SYMBOL_GPL(wd_req_fault);

/*
 * In the submitter's context: fault in what @rq stopped at. Returns 0 when
 * at least its first page is there now (the driver goes on, and comes
 * back for anything further that is missing), -EFAULT when nothing is
 * mapped there, -ECANCELED when the request is canceled or the caller was
 * killed while the fault waited.
 */
int wd_fault_in(struct wd_req *rq)
{
	const struct wd_fault *f = rq->fault;
	char __user *p = u64_to_user_ptr(f->addr);
	size_t left;

	/* the operands are in the address space the request was made in */
	if (wd_req_canceled(rq) || current->mm != rq->mm)
		return -ECANCELED;
	if (f->write)
		left = fault_in_safe_writeable(p, f->len);
	else
		left = fault_in_readable(p, f->len);
	if (fatal_signal_pending(current)) {
		wd_req_cancel(rq);
		return -ECANCELED;
	}
	return left == f->len ? -EFAULT : 0;
}

/**
 * wd_req_owner_gone() - has the task that submitted @rq exited?
 * @rq: a request the driver owns
 *
 * Such a request is canceled already, or about to be (io_uring cancels an
 * exiting task's requests; a killed ioctl caller cancels its own), but a
 * driver that sees this can stop without waiting for the mark: nobody
 * will read the result. Unlike counting the address space's users, this
 * does not depend on who else holds it (engines, other requests).
 */
bool wd_req_owner_gone(const struct wd_req *rq)
{
	if (rq->flags & WD_REQ_URING)
		return wd_uring_owner_gone(rq);
	return false;
}
EXPORT_SYMBOL_GPL(wd_req_owner_gone);
