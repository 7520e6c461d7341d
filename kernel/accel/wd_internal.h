/* SPDX-License-Identifier: GPL-2.0 */
/* WarpDrive core: what the core's files share and drivers never see. */
#ifndef _WD_INTERNAL_H
#define _WD_INTERNAL_H

#include <linux/completion.h>
#include <linux/io_uring/cmd.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>
#include "wd_driver.h"

/* wd_req.flags */
#define WD_REQ_URING	BIT(0)	/* embedded in an io_uring_cmd's pdu */
#define WD_REQ_SYNC	BIT(1)	/* embedded in a struct wd_sync_req */
#define WD_REQ_DMA	BIT(2)	/* rq->dma holds the pinned operands */
#define WD_REQ_CQE32	BIT(3)	/* its CQE is 32 bytes: res2 goes with it */
/* WD_REQ_CANCELED (BIT(6)), WD_REQ_POLLED (BIT(7)): wd_driver.h */

/*
 * An open file of a device: what its requests count against. io_uring
 * holds the file while a request is in flight, so the count outlives none
 * of them.
 */
struct wd_file {
	struct wd_device	*wdev;
	atomic_t		inflight;
	void			*priv;	/* the driver's (ops->open) */
};

/* Requests one file may have in flight, unless sysfs says otherwise. */
#define WD_FILE_MAX_INFLIGHT	1024

static inline struct wd_device *wd_file_dev(const struct file *file)
{
	return ((struct wd_file *)file->private_data)->wdev;
}

/* Per-CPU request counters; sysfs sums them. */
struct wd_stats {
	u64	submitted;	/* accepted and handed to the driver */
	u64	completed;	/* completed by the driver */
	u64	failed;		/* ... of which with a negative result */
	u64	doorbells;	/* doorbell writes the driver reported */
	u64	canceled;	/* ended by a cancellation */
};

/* Which operands an op takes (wd_op_desc.operands); the rest must be 0. */
#define WD_OPND_ADDR	BIT(0)
#define WD_OPND_ADDR2	BIT(1)
#define WD_OPND_ARG	BIT(2)
#define WD_OPND_MEM	BIT(3)	/* touches memory: needs the submitter's mm */
#define WD_OPND_ENGINE	BIT(4)	/* needs the engine's state: never inline */
/* addr2 spans WD_COMP_ARG_DST_LEN(arg) bytes, not len */
#define WD_OPND_DST_ARG	BIT(5)

/* How a pinned-mode device uses a memory operand (wd_op_desc.pin) */
#define WD_PIN_IN	1	/* reads it: DMA_TO_DEVICE */
#define WD_PIN_OUT	2	/* writes it: DMA_FROM_DEVICE */

/* Do [@a, @a + @len) and [@b, @b + @len) share a byte? */
static inline bool wd_ranges_overlap(u64 a, u64 b, u32 len)
{
	return len && a < b + len && b < a + len;
}

/**
 * struct wd_op_desc - one entry of the op table
 * @name: as shown in sysfs and logs
 * @flags: request flags the op accepts
 * @operands: WD_OPND_*
 * @pin: WD_PIN_* for the operands at addr and addr2, each @len bytes
 *	(addr2: WD_COMP_ARG_DST_LEN(arg) with WD_OPND_DST_ARG); an
 *	op with memory operands and no @pin entry cannot run on a pinned-mode
 *	device (its operands are not all addr/addr2 ranges of @len bytes)
 * @value: the op has a value result (res2): the CQE that carries it is a
 *	32-byte one where the ring has them
 * @check: op-specific validation of the decoded request, or NULL
 */
struct wd_op_desc {
	const char	*name;
	u32		flags;
	bool		value;
	u8		operands;
	u8		pin[2];
	int		(*check)(const struct wd_device *wdev, struct wd_args *a);
};

extern const struct wd_op_desc wd_op_table[WD_OP_END];
u64 wd_all_op_flags(void);
int wd_args_check(const struct wd_device *wdev, struct wd_args *a);

static inline bool wd_op_needs_mm(u8 op)
{
	return op == WD_OP_BATCH ||
	       (op < WD_OP_END && (wd_op_table[op].operands & WD_OPND_MEM));
}

/*
 * A request made by the ioctl: the caller waits on @done, which is
 * completed when the driver finishes (@finished) and also when it hands
 * the request over for a fault (@fault_pending). A caller killed while it
 * waits leaves the request to the driver (@abandoned), and the completion
 * frees it. @lock orders those three.
 */
struct wd_sync_req {
	struct wd_req		rq;
	struct wd_device	*wdev;
	struct wd_file		*wf;
	struct completion	done;
	spinlock_t		lock;
	bool			finished;
	bool			fault_pending;
	bool			abandoned;
};

void wd_sync_free(struct wd_sync_req *sr);
bool wd_sync_finish(struct wd_sync_req *sr);
int wd_sync_fault(struct wd_sync_req *sr);
int wd_uring_fault(struct wd_req *rq);
bool wd_uring_owner_gone(const struct wd_req *rq);
struct wd_file *wd_uring_file(const struct wd_req *rq);
int wd_fault_in(struct wd_req *rq);

/*
 * Cancelers (io_uring under the ring's lock, the ioctl caller, the fault
 * path, the executor finding the submitter gone) may race, but all of them
 * only ever add this one bit, and nobody else writes the flags once the
 * driver has the request: a plain update is enough.
 */
static inline void wd_req_cancel(struct wd_req *rq)
{
	WRITE_ONCE(rq->flags, READ_ONCE(rq->flags) | WD_REQ_CANCELED);
}

long wd_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

int wd_cpu_copy_in(struct wd_cpu_ctx *ctx, void *buf, u64 uaddr, size_t n);
int wd_cpu_copy_out(struct wd_cpu_ctx *ctx, u64 uaddr, const void *buf,
		    size_t n);
bool wd_cpu_should_stop(const struct wd_cpu_ctx *ctx);
void wd_cpu_compress(struct wd_cpu_ctx *ctx, const struct wd_args *a,
		     struct wd_result *r);
void wd_cpu_decompress(struct wd_cpu_ctx *ctx, const struct wd_args *a,
		       struct wd_result *r);

extern const struct attribute_group *wd_dev_groups[];

void wd_stats_sum(const struct wd_device *wdev, struct wd_stats *sum);
bool wd_device_enter(struct wd_device *wdev);
void wd_device_exit(struct wd_device *wdev);

int wd_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
int wd_uring_iopoll(struct io_uring_cmd *cmd, struct io_comp_batch *iob,
		    unsigned int poll_flags);
void wd_uring_complete(struct wd_req *rq);

/* The address modes: a device declares exactly one. */
#define WD_DEV_F_MODES	(WD_DEV_F_CPU_SVA | WD_DEV_F_SVA | WD_DEV_F_PINNED)

/* Pinned mode (dma.c) */
bool wd_op_pinnable(u8 op);
int wd_dma_prepare(struct wd_device *wdev, struct io_uring_cmd *fixed,
		   const struct wd_args *a, unsigned int issue_flags,
		   struct wd_dma **out);
void wd_dma_unmap(struct wd_dma *dma);
void wd_dma_release(struct wd_dma *dma);

static inline bool wd_dev_pinned(const struct wd_device *wdev)
{
	return wdev->dev_flags & WD_DEV_F_PINNED;
}

/* What GET_FEATURES and sysfs report as comp_max_len (0: no compression). */
static inline u32 wd_comp_max_len(const struct wd_device *wdev)
{
	if (!wdev->comp_formats)
		return 0;
	return wdev->comp_max_len ?: min_t(u64, wdev->max_len, U32_MAX);
}

/* A fresh request for @a: what a NOP completes with is decided here. */
static inline void wd_req_init(struct wd_req *rq, u32 flags,
			       const struct wd_args *a)
{
	rq->flags = flags;
	rq->mm = NULL;
	rq->res = 0;
	rq->res2 = 0;
	if (a->op == WD_OP_NOP) {
		if (a->flags & WD_NOP_F_INJECT_RESULT)
			rq->res = (s32)a->len;
		rq->res2 = a->arg;
	}
}

/*
 * Run in the issue path rather than on the device: small data ops, and the
 * leading small descriptors of a batch, when the driver can and the
 * administrator lets it (inline_max). NOPs exist to measure the device
 * path: never.
 */
static inline bool wd_should_execute(const struct wd_device *wdev,
				     const struct wd_args *a)
{
	u32 max = READ_ONCE(wdev->inline_max);

	if (!wdev->ops->execute || a->op == WD_OP_NOP || !max)
		return false;
	if (a->op == WD_OP_BATCH)
		return true;
	return a->len <= max &&
	       !(wd_op_table[a->op].operands & WD_OPND_ENGINE);
}

/* wd_execute_inline() */
enum {
	WD_INLINE_DONE,	/* finished: results set */
	WD_INLINE_NONE,	/* nothing ran: all of it is the device's */
	WD_INLINE_PART,	/* the head of a batch ran: @a is the rest */
};

/*
 * Run @a through ops->execute(). From the io_uring issue path (@nowait),
 * with page faults disabled: the driver then runs only what is present,
 * and a fault is never taken under the ring's lock.
 */
static inline int wd_execute_inline(struct wd_device *wdev,
				    struct wd_req *rq, struct wd_args *a,
				    bool nowait)
{
	u32 consumed;

	if (nowait)
		pagefault_disable();
	consumed = wdev->ops->execute(wdev, rq, a);
	if (nowait)
		pagefault_enable();
	if (!consumed)
		return WD_INLINE_NONE;
	if (a->op != WD_OP_BATCH || consumed >= a->len || rq->res < 0)
		return WD_INLINE_DONE;
	a->addr += (u64)consumed * sizeof(struct wd_desc);
	a->len -= consumed;
	return WD_INLINE_PART;
}

/*
 * What the request held of the submitter, let go in its task once the
 * driver is done: the mm reference, or the pinned pages.
 */
static inline void wd_req_release(struct wd_req *rq)
{
	if (rq->flags & WD_REQ_DMA)
		wd_dma_release(rq->dma);
	else if (rq->mm)
		mmdrop(rq->mm);
}

/*
 * The driver's last look at a request it accepted, in process context
 * (ops->finish). Results reach user memory only in the submitter's own
 * address space: not from io_uring's fallback worker at exit.
 */
static inline void wd_req_finish(struct wd_device *wdev, struct wd_req *rq)
{
	if (wdev->ops->finish)
		wdev->ops->finish(wdev, rq, current->mm &&
				  !(current->flags & (PF_EXITING | PF_KTHREAD)));
}

/* The driver is done with @rq: count it and let go of the device. */
static inline void wd_req_done(struct wd_device *wdev, struct wd_req *rq)
{
	this_cpu_inc(wdev->stats->completed);
	if (rq->res < 0)
		this_cpu_inc(wdev->stats->failed);
	/*
	 * canceled by io_uring or the ioctl, or by the driver on its own, or
	 * ended because its process had gone (-ESRCH)
	 */
	if (wd_req_canceled(rq) || rq->res == -ECANCELED || rq->res == -ESRCH)
		this_cpu_inc(wdev->stats->canceled);
	wd_device_exit(wdev);
}

/* @rq ran through ops->execute(): submitted and completed at once. */
static inline void wd_stats_inline(struct wd_device *wdev,
				   const struct wd_req *rq)
{
	this_cpu_inc(wdev->stats->submitted);
	this_cpu_inc(wdev->stats->completed);
	if (rq->res < 0)
		this_cpu_inc(wdev->stats->failed);
}

#endif /* _WD_INTERNAL_H */
