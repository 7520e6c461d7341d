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
 * Life of a request: the core validates it (from an SQE, a batch element
 * is the driver's to validate with wd_desc_to_args(), or the ioctl), fills
 * a struct wd_args and a struct wd_req, and calls ops->submit(). The driver
 * owns the request from then until it calls wd_complete(), exactly once,
 * from any context (hard interrupt included). The core turns that into the
 * CQE (or wakes the ioctl caller).
 *
 * Address modes (wdev->dev_flags, exactly one):
 *  - WD_DEV_F_CPU_SVA: the driver works on the operands with the CPU in
 *    the submitter's address space (rq->mm), as the software engine does.
 *  - WD_DEV_F_PINNED: for devices without PASID. The core pins the
 *    operands' pages (or takes them from an io_uring registered buffer)
 *    and maps them through the DMA API for the parent device, so through
 *    the IOMMU; the driver gets rq->dma and programs bus addresses. The
 *    core unmaps at wd_complete() and unpins in the submitter's task.
 *  - WD_DEV_F_SVA: the device shares the process's page tables through
 *    PASID. The core hands over rq->mm as for CPU_SVA; binding it to the
 *    device (iommu_sva_bind_device()) is the driver's (none exists yet).
 *
 * Doorbells: a driver that rings its doorbell from ops->submit() can ask
 * wd_doorbell_defer() whether the submitter is in the middle of a batch
 * (io_uring holds a block plug while it issues several SQEs). If so, it
 * only queues the request, and the core calls ops->commit() once when the
 * batch ends. Every doorbell write is counted with wd_doorbell_count()
 * (sysfs "doorbells").
 *
 * Faults: a driver that works in the submitter's address space must never
 * wait for a page of it (a userfaultfd or FUSE page may never come, and
 * the device is everyone's). It touches user memory with page faults
 * disabled; at a page that is not present it stops the request with its
 * progress kept and calls wd_req_fault(): the core has the range faulted
 * in by the submitter, in its own context (killable, as read(2) would
 * fault), and hands the request back through ops->resume(). A stalled
 * page then stalls only the request, and the submitter, that named it.
 *
 * Cancellation: a request the driver owns may be cancelled (io_uring is
 * tearing its ring down, or its task is exiting or exec'ing). The core
 * only marks it; wd_req_canceled() then says so. A driver checks it where
 * stopping is safe (before starting a request, between the slices or
 * transfers of a long one) and completes the request with -ECANCELED; one
 * that never checks simply runs every request to its end.
 */
#ifndef _WD_DRIVER_H
#define _WD_DRIVER_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/llist.h>
#include <linux/percpu-refcount.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/task_work.h>
#include <uapi/linux/warpdrive.h>
#include "wd_compat.h"

struct wd_device;
struct mm_struct;
struct wd_dma;

/*
 * wd_args.op for a batch: addr is the user address of the wd_desc array,
 * len the number of descriptors (already checked against WD_BATCH_MAX).
 */
#define WD_OP_BATCH	0xff

/**
 * struct wd_args - a validated request's operands
 * @op: WD_OP_*, or WD_OP_BATCH
 * @flags: request flags (sqe->file_index / wd_desc.flags)
 * @len: bytes (descriptors for a batch)
 * @addr: first operand, a user address in the submitter's address space
 * @addr2: second operand
 * @arg: op argument
 *
 * Operands have the meaning the uAPI header's op table gives them; every
 * operand an op does not use is 0. Small enough to live on the stack and to
 * be copied into a device's ring: drivers must not keep a pointer to it.
 */
struct wd_args {
	u8	op;
	u32	flags;
	u32	len;
	u64	addr;
	u64	addr2;
	u64	arg;
};

/**
 * struct wd_fault - a range for the submitter to fault in
 * @addr: user address (in the request's address space)
 * @len: bytes from @addr
 * @write: fault it in for writing
 * @cb: the core's (the submitter's task work)
 * @rq: the core's
 */
struct wd_fault {
	u64			addr;
	u32			len;
	bool			write;
	struct callback_head	cb;
	struct wd_req		*rq;
};

/**
 * struct wd_req - one request, as the driver sees it
 * @node: free for the driver while it owns the request (queue link)
 * @priv: or the driver's per-request state, from ops->submit() to
 *	ops->finish() (drivers that never call wd_req_fault())
 * @fault: the core's while the request is away for a fault
 *	(wd_req_fault() to ops->resume())
 * @mm: WD_DEV_F_CPU_SVA devices: the submitter's address space, for ops
 *	with memory operands (NULL for NOP). The core holds a reference on
 *	the mm_struct (mmgrab) for the request's life; a driver that works in
 *	it must take mm_users (mmget_not_zero()) and fail the request if the
 *	process is gone.
 * @dma: WD_DEV_F_PINNED devices: the operands, pinned; the driver maps
 *	them with wd_dma_map() when the device starts the request (NULL for
 *	an op without memory operands)
 * @flags: WD_REQ_* (the core's; drivers test them only through
 *	WD_REQ_POLLED and wd_req_canceled())
 * @res: result: bytes done, the op's value, or a negative errno. The core
 *	presets it (0 for most ops); the driver overwrites it.
 * @res2: the op's 64-bit value result, delivered in a CQE32's big_cqe[0].
 *
 * Lives in the io_uring command's private area: no allocation per request.
 */
struct wd_req {
	union {
		struct llist_node	node;
		struct wd_fault		*fault;
		void			*priv;
	};
	union {
		struct mm_struct	*mm;
		struct wd_dma		*dma;
	};
	u32			flags;
	s32			res;
	u64			res2;
};

/*
 * wd_req.flags a driver may test: the submitter polls for this request's
 * completion through ops->poll() (an IORING_SETUP_IOPOLL ring), so the
 * device need not interrupt for it.
 */
#define WD_REQ_POLLED	BIT(7)
/* Set by the core, at any time, on a request the driver owns. */
#define WD_REQ_CANCELED	BIT(6)

/*
 * The submitter no longer wants @rq: complete it with -ECANCELED at the
 * next point where the device can stop (the result of work already done,
 * such as bytes copied, is then lost).
 */
static inline bool wd_req_canceled(const struct wd_req *rq)
{
	return READ_ONCE(rq->flags) & WD_REQ_CANCELED;
}

/* ops->submit() flags */
#define WD_SUBMIT_NOWAIT	BIT(0)	/* may not sleep (io_uring issue) */
/*
 * Part of the request has run already (the head of a batch, in the issue
 * path): the driver must take the rest, even with its queue full, because
 * an -EAGAIN would have io_uring issue the whole request again.
 */
#define WD_SUBMIT_FORCE		BIT(1)

/*
 * ops->submit() with WD_SUBMIT_NOWAIT, before it has done anything the
 * user can see: the request needs what the issue path cannot do (read
 * user memory that is not present, wait for memory). The core calls
 * ops->submit() again, without NOWAIT, from the submitter's task.
 */
#define WD_SUBMIT_LATER		1

/**
 * struct wd_dma_map - one memory operand of a pinned-mode request
 * @sgt: its pages, mapped for the device: walk the sgt.nents mapped
 *	segments with for_each_sgtable_dma_sg(), sg_dma_address() and
 *	sg_dma_len()
 * @len: the operand's length in bytes (0: the op has no such operand)
 *
 * The rest is the core's.
 */
struct wd_dma_map {
	struct sg_table	sgt;
	u32		len;
	/* private to the core */
	u8		dir;
	bool		unpin;
	bool		mapped;
	unsigned int	total_nents;
	unsigned int	nr_pages;
	struct page	**pages;
};

/**
 * struct wd_dma - the memory operands of a pinned-mode request
 * @addr: the operand at wd_args.addr (COPY: the source)
 * @addr2: the operand at wd_args.addr2 (COPY: the destination)
 * @dev: the device they are mapped for (the wd_device's parent)
 *
 * Each is mapped DMA_TO_DEVICE when the op reads it and DMA_FROM_DEVICE
 * when the op writes it, by wd_dma_map(), which the driver calls when the
 * device starts the request.
 */
struct wd_dma {
	struct wd_dma_map	addr;
	struct wd_dma_map	addr2;
	struct device		*dev;
	/* private to the core: what the pins are charged to */
	struct user_struct	*user;
	struct mm_struct	*mm;
	unsigned long		charged;
};

int wd_dma_map(struct wd_dma *dma);

/**
 * struct wd_ops - what a driver implements
 * @owner: the driver's module, pinned while a file of the device is open
 * @name: the driver's name, shown in sysfs ("driver")
 * @submit: queue @rq with operands @args on the device and ring its
 *	doorbell. With WD_SUBMIT_NOWAIT the caller is the io_uring issue path
 *	and the driver must not sleep: if the device's queue is full, take
 *	the request anyway (an overflow list; what one file may have in
 *	flight bounds it). Never return -EAGAIN: io_uring would issue the
 *	request again, and the core cannot tell whether the driver did
 *	something the user can see first (it turns it into -ENOMEM).
 *	Without NOWAIT the driver may wait for room. Return 0 once the request is the driver's
 *	(it will be passed to wd_complete() later), or a negative errno to
 *	fail it at once (the driver then never completes it), or, with
 *	NOWAIT only, WD_SUBMIT_LATER (see there).
 * @execute: optional: run @args in the caller's context and address space,
 *	filling @rq->res and @rq->res2; may sleep and fault. The core uses it
 *	for requests of at most wdev->inline_max bytes, when handing them to
 *	the device would cost more than doing them, and for batches: the
 *	driver runs descriptors while each is at most wdev->inline_max bytes,
 *	adding the successes to @rq->res, and returns how many it consumed;
 *	the core hands the rest of the batch to ops->submit(). Returns 1 for
 *	an op.
 * @commit: optional: ring the doorbell of @queue for the requests
 *	ops->submit() queued there after wd_doorbell_defer() said it could
 *	wait. Called once per deferral, at the end of the submitter's batch,
 *	possibly from inside schedule(): must not sleep.
 * @resume: required with WD_DEV_F_CPU_SVA and WD_DEV_F_SVA: @rq comes
 *	back from wd_req_fault() with @fault (the range the driver asked
 *	for). @err is 0 when the range is present now: go on where the
 *	request stopped; otherwise end the request (or, in a batch, the
 *	descriptor) at that point with @err (-EFAULT: nothing mapped there;
 *	-ECANCELED: the submitter canceled it or is gone). Called in the
 *	submitter's task (or the ioctl caller's), may sleep; the driver
 *	owns the request again from here on.
 * @open: optional: a file of the device is being opened; *@file_priv is
 *	the driver's per-file state (wd_req_file_priv()). May sleep.
 * @release: optional: the file's last reference is gone, with none of its
 *	requests left in flight: free @file_priv. May sleep.
 * @ioctl: optional: ioctls the core does not know, for the driver
 * @finish: optional, pinned-mode devices only: called once for every
 *	request the driver accepted, after its wd_complete(), in process
 *	context in the submitter's task (or the ioctl caller), before the
 *	result is posted: copy results to user memory (only with @deliver:
 *	the submitter's address space is current and it still wants them)
 *	and free @rq->priv. May change @rq->res and may sleep, but may run
 *	under the ring's lock (io_uring task work): never fault on user
 *	memory there; write to pages pinned at submit instead.
 * @poll: optional: look for finished work (a ring set up with
 *	IORING_SETUP_IOPOLL calls it while it waits) and wd_complete() what
 *	has finished. Returns how many requests it completed. Must not sleep;
 *	may run concurrently with the interrupt handler and with itself.
 */
struct wd_ops {
	struct module	*owner;
	const char	*name;
	int		(*submit)(struct wd_device *wdev, struct wd_req *rq,
				  const struct wd_args *args,
				  unsigned int sflags);
	u32		(*execute)(struct wd_device *wdev, struct wd_req *rq,
				   const struct wd_args *args);
	void		(*commit)(struct wd_device *wdev, void *queue);
	void		(*resume)(struct wd_device *wdev, struct wd_req *rq,
				  struct wd_fault *fault, int err);
	int		(*poll)(struct wd_device *wdev);
	int		(*open)(struct wd_device *wdev, void **file_priv);
	void		(*release)(struct wd_device *wdev, void *file_priv);
	long		(*ioctl)(struct wd_device *wdev, void *file_priv,
				 unsigned int cmd, unsigned long arg);
	void		(*finish)(struct wd_device *wdev, struct wd_req *rq,
				  bool deliver);
};

/* The most framing a compression format adds to its data (gzip's). */
#define WD_COMP_FRAME_MAX	18

/**
 * struct wd_device - a WarpDrive device
 *
 * The driver fills the capability fields between wd_device_alloc() and
 * wd_device_register() and never changes them afterwards; user space reads
 * them through WD_CMD_GET_FEATURES and sysfs.
 *
 * @ops_mask: BIT_ULL(WD_OP_x) for every op the device executes
 * @dev_flags: WD_DEV_F_* (address mode and other capabilities)
 * @comp_formats: BIT_ULL(WD_COMP_x) per compression format, when the
 *	device runs WD_OP_COMPRESS or WD_OP_DECOMPRESS
 * @max_len: longest operand one request may name, in bytes
 * @comp_max_len: COMPRESS/DECOMPRESS: the longest input and the most
 *	output one request may have (0: @max_len), for a device whose
 *	compressor is bounded below @max_len. Pinned mode then pins no more
 *	of a destination than this and WD_COMP_FRAME_MAX.
 * @nr_queues: number of hardware (or engine) queues
 * @numa_node: node the device is attached to, or NUMA_NO_NODE
 * @inline_max: requests of at most this many bytes run through
 *	ops->execute() in the issue path (0: never). Writable in sysfs.
 * @coalesce: wd_doorbell_defer() may defer (default true). Writable in
 *	sysfs, to measure what one doorbell per batch buys.
 * @file_max_inflight: requests one open file may have with the device at
 *	once (io_uring's); more get -EBUSY. Set by the core, writable in
 *	sysfs.
 * @groups: extra sysfs attribute groups for the device (driver knobs)
 * @priv: the driver's area, sized by wd_device_alloc()
 */
struct wd_device {
	u64				ops_mask;
	u64				dev_flags;
	u64				comp_formats;
	u64				max_len;
	u32				comp_max_len;
	u32				nr_queues;
	int				numa_node;
	u32				inline_max;
	bool				coalesce;
	u32				file_max_inflight;
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
void *wd_req_file_priv(const struct wd_req *rq);
int wd_req_fault(struct wd_req *rq, struct wd_fault *fault);
bool wd_req_owner_gone(const struct wd_req *rq);

bool wd_doorbell_defer(struct wd_device *wdev, void *queue);
void wd_doorbell_count(struct wd_device *wdev);

/* Validate one descriptor of a batch (read by the driver) into @args. */
int wd_desc_to_args(const struct wd_device *wdev, const struct wd_desc *d,
		    struct wd_args *args);

/*
 * The CPU-side executor, for devices that work in the submitter's address
 * space with the CPU (WD_DEV_F_CPU_SVA): runs in current->mm.
 */

/**
 * struct wd_result - what executing one request produced
 * @status: 0 or a negative errno
 * @done: bytes processed (see wd_desc.done)
 * @value: the op's value result (CRC, mismatch offset), or 0
 */
struct wd_result {
	s32	status;
	u32	done;
	u64	value;
};

/* The bounce buffer a long request is worth allocating. */
#define WD_CPU_BOUNCE_MAX	(64 * 1024)

/**
 * struct wd_cpu_ctx - per-executor state for the CPU-side ops
 * @bounce: kernel buffer for moving data between user buffers
 * @bounce_size: its size; a multiple of 16, at least 64 (compression
 *	needs at least 1 KiB)
 * @may_grow: allocate a WD_CPU_BOUNCE_MAX buffer for long requests (for
 *	callers whose own buffer is small, such as one on the stack); release
 *	it with wd_cpu_ctx_release()
 * @grown: the buffer was allocated here
 * @in_place: CRC32C, and a COPY whose operands lie apart, may read the
 *	source's user pages where they lie (looked up and mapped; a COPY then
 *	writes from there, in one pass); for executors that run in a thread
 *	of their own, such as an engine, with the submitter's mm adopted
 * @trap_faults: an engine's: wd_cpu_job_run() runs with page faults
 *	disabled and hands a fault back instead of failing on it
 * @probe: inline (set by wd_cpu_run()): faults are disabled, run nothing
 *	that would meet one
 * @stream_max: 0, or the longest stream wd_cpu_job_run() runs here (see
 *	WD_CPU_STREAM)
 * @rq: the request running (wd_cpu_job_run()), for its cancellation
 * @fault_set: a user access came up short, at @fault_addr (for writing:
 *	@fault_write)
 * @deflate_ws: zlib deflate workspace (wd_cpu_ctx_alloc_zlib()); without
 *	it the compression ops cannot run here
 * @inflate_ws: zlib inflate workspace
 * @zstd_cws: zstd compression workspace, @zstd_cws_size bytes
 * @zstd_dws: zstd decompression workspace
 * @lz4_ws: LZ4 compression state
 * @lz4_in: LZ4 block buffers, @lz4_block bytes of data each (plus room for
 *	a compressed block's worst case in @lz4_in)
 * @lz4_out: see @lz4_in
 */
struct wd_cpu_ctx {
	void	*bounce;
	size_t	bounce_size;
	bool	may_grow;
	bool	grown;
	bool	in_place;
	bool	trap_faults;
	bool	probe;
	bool	fault_set;
	bool	fault_write;
	u64	fault_addr;
	u32	stream_max;
	const struct wd_req *rq;
	void	*deflate_ws;
	void	*inflate_ws;
	void	*zstd_cws;
	size_t	zstd_cws_size;
	void	*zstd_dws;
	void	*lz4_ws;
	void	*lz4_in;
	void	*lz4_out;
	size_t	lz4_block;
};

/*
 * Workspaces for the compression ops: zlib's up front, zstd's (several
 * MiB, by level) on first use, kept until wd_cpu_ctx_free_codecs().
 */
int wd_cpu_ctx_alloc_codecs(struct wd_cpu_ctx *ctx);
void wd_cpu_ctx_free_codecs(struct wd_cpu_ctx *ctx);
/* The formats the CPU executor compresses: BIT_ULL(WD_COMP_x) each. */
u64 wd_cpu_comp_formats(void);

void wd_cpu_ctx_release(struct wd_cpu_ctx *ctx);

void wd_cpu_begin(const struct wd_args *args, struct wd_result *r);
bool wd_cpu_step(struct wd_cpu_ctx *ctx, const struct wd_args *args,
		 struct wd_result *r, u32 budget);
void wd_cpu_result(struct wd_req *rq, const struct wd_args *args,
		   const struct wd_result *r);
u32 wd_cpu_run(struct wd_cpu_ctx *ctx, const struct wd_device *wdev,
	       struct wd_req *rq, const struct wd_args *args, u32 max_len);

/**
 * struct wd_cpu_job - a request on its way through the CPU executor,
 *	resumable after a slice or a fault
 * @args: the request: an op, or a batch
 * @one: the op running (a batch's current descriptor)
 * @r: its progress
 * @idx: batch: descriptors finished
 * @ok: batch: ... of which succeeded
 * @fatal: batch: the descriptor array could not be read or written
 * @last: batch: the result (as a CQE's res) of the last descriptor run
 * @max_len: stop (WD_CPU_STOP) before a descriptor longer than this
 * @phase: where the job is (the executor's)
 * @trips: fault trips in a row that found no progress
 * @fault_where: where the last one stopped
 * @fault: after WD_CPU_FAULT: what the submitter should fault in
 */
struct wd_cpu_job {
	struct wd_args		args;
	struct wd_args		one;
	struct wd_result	r;
	u32			idx;
	u32			ok;
	s32			fatal;
	s32			last;
	u32			max_len;
	u8			phase;
	u8			trips;
	u64			fault_where;
	struct wd_fault		fault;
};

/* wd_cpu_job_run() */
enum {
	WD_CPU_DONE,	/* finished: the request's results are set */
	WD_CPU_MORE,	/* the budget is spent: run it again */
	WD_CPU_FAULT,	/* stopped at a fault: see wd_cpu_job.fault */
	WD_CPU_STOP,	/* inline: the rest is the device's */
	WD_CPU_STREAM,	/* a stream longer than ctx->stream_max is next */
};

void wd_cpu_job_init(struct wd_cpu_job *j, const struct wd_args *a);
int wd_cpu_job_run(struct wd_cpu_ctx *ctx, const struct wd_device *wdev,
		   struct wd_req *rq, struct wd_cpu_job *j, u32 budget);
void wd_cpu_job_resume(struct wd_cpu_job *j, int err);

static inline const char *wd_device_name(const struct wd_device *wdev)
{
	return dev_name(&wdev->dev);
}

static inline struct wd_device *wd_dev_to_wdev(struct device *dev)
{
	return container_of(dev, struct wd_device, dev);
}

#endif /* _WD_DRIVER_H */
