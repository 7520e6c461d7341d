// SPDX-License-Identifier: GPL-2.0
/*
 * soft: the WarpDrive software engine, the reference device every test and
 * benchmark can run against, and an offload pool on machines without an
 * accelerator.
 *
 * It is built like a device. Each queue has a descriptor ring that
 * ops->submit() fills (one slot per request: the request and its
 * operands), a doorbell (waking the queue's engine thread when it sleeps;
 * rung once per io_uring submission batch, see wd_doorbell_defer())
 * and an engine thread that consumes the ring and completes requests from
 * its own context, as a device's interrupt would. Operands are resolved in
 * the submitter's address space by the CPU (WD_DEV_F_CPU_SVA): the engine
 * adopts the submitter's mm (kthread_use_mm) while it works on a request,
 * holding mm_users so the address space cannot be torn down under it, and
 * never touches an mm whose owner is gone (mmget_not_zero() fails: the
 * request completes with -ESRCH).
 *
 * The engine is shared by every submitter, so it never waits for one
 * submitter's page: it works with page faults disabled, and a request that
 * meets a page that is not present leaves the engine (wd_req_fault()) until
 * its submitter has faulted the page in, then carries on where it stopped
 * (wd_soft_resume()). The engine meanwhile serves everyone else.
 *
 * Requests from different processes take turns on the engine, a slice at
 * a time. A long stream (COMPRESS, DECOMPRESS), whose codec cannot stop
 * part way, is not run on the engine at all but on a stream worker, a
 * thread of the queue's with workspaces of its own, at most one per
 * process at a time: the scheduler shares the CPU between the engine and
 * the workers, and nobody's small request waits for somebody's stream.
 *
 * A canceled request (see wd_req_canceled()) ends before its next slice,
 * and so does one whose process has gone; in a batch, the descriptor
 * running and every one after it get -ECANCELED in their records.
 *
 * Knobs:
 *   queues=N, ring_size=N   module parameters (load time): queues built,
 *                           each with its ring and engine thread
 *   engines=N               module parameter, and sysfs engines: how many
 *                           of the queues submitters use (1..queues); the
 *                           others' engines sleep once they have drained
 *   delay_us                sysfs: the engine waits this long before each
 *                           request, to keep requests in flight for tests
 *   poll_us                 sysfs: an engine that runs out of work polls
 *                           its ring this long before it sleeps
 *   inline_max              sysfs (core): requests up to this many bytes
 *                           run in the issue path instead
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hashtable.h>
#include <linux/kthread.h>
#include <linux/log2.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include "../wd_driver.h"

static unsigned int queues = 4;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "Queues (each with an engine thread) of soft0 (1..64)");

static unsigned int engines = 1;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "Queues in use at load (1..queues); sysfs engines later");

static unsigned int ring_size = 256;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "Descriptor ring slots per queue (power of 2, 8..65536)");

#define WD_SOFT_MAX_QUEUES	64
#define WD_SOFT_MAX_LEN		(64U << 20)
/* Below this, running in the issue path beats a trip to the engine. */
#define WD_SOFT_INLINE_MAX	512
/* What an inline request gets on the stack before the executor allocates. */
#define WD_SOFT_STACK_BOUNCE	256
/*
 * Long requests run a slice at a time, taking turns with everything else
 * on the queue, so that small requests behind a long one wait for a slice,
 * not for the whole request.
 */
#define WD_SOFT_SLICE		(1U << 20)
/*
 * A stream is one pass of a codec whose state lives in its workspace: it
 * runs from start to end. One whose source or destination is longer than
 * this runs on a stream worker instead of the engine.
 */
#define WD_SOFT_STREAM_MIN	(64U << 10)
/*
 * Stream workers per queue, started as they are needed. Each has its own
 * workspaces (about half a MiB; more once it has run zstd). A process has
 * at most one at a time, so a flood of streams from one process takes one
 * worker and leaves the others to everyone else.
 */
#define WD_SOFT_WORKERS		4
/*
 * How long an engine polls its ring before sleeping, by default: longer
 * than a submitter takes to reap a batch and send the next, so that a busy
 * ring never sleeps. The VM's emulated wake-ups take about 100 us.
 */
#define WD_SOFT_POLL_US		200
#define WD_SOFT_POLL_MAX_US	10000

struct wd_soft;

/* One ring slot: what a hardware descriptor would hold. */
struct wd_soft_slot {
	struct wd_req	*rq;
	struct wd_args	args;
};

struct wd_soft_tenant;

/*
 * A request the engine has taken off the ring and not finished: on its
 * tenant's list, on the backlog when it comes back from its submitter (or
 * was forced in past a full ring), or away for a fault.
 */
struct wd_soft_job {
	struct list_head	node;
	struct llist_node	lnode;
	struct wd_req		*rq;
	struct wd_soft_queue	*q;
	struct mm_struct	*mm_held;	/* mm_users, since a fault */
	int			ret;		/* back from a stream worker */
	struct wd_cpu_job	cj;
};

struct wd_soft_worker;

/*
 * The requests of one process (one address space) on a queue. The engine
 * serves tenants round-robin, a slice at a time: a process that floods
 * the device with huge requests delays another's small one by a slice per
 * busy tenant, not by its whole backlog. Per process rather than per
 * file: opening more files buys no bigger share. A tenant lives while it
 * has jobs (each holds its mm through the request), and is on the turn
 * list while some of them are ready.
 */
struct wd_soft_tenant {
	struct hlist_node	hnode;
	struct list_head	rr;		/* on the queue's turn list */
	struct list_head	jobs;		/* ready, FIFO */
	struct list_head	held;		/* long streams, for a worker */
	struct list_head	line;		/* waiting for an idle worker */
	struct wd_soft_worker	*stream;	/* running its stream */
	struct mm_struct	*mm;
};

/*
 * A stream worker. The engine hands it one job at a time (@job) and it
 * hands the job back (@back, through the queue's workers_back) when the
 * job is not finished: a batch goes on, or a fault needs its submitter.
 */
struct wd_soft_worker {
	struct wd_soft_queue	*q;
	struct task_struct	*task;
	struct wd_soft_job	*job;
	struct llist_node	lnode;
	struct wd_soft_job	*back;
	/* the engine's */
	struct wd_soft_tenant	*t;
	bool			busy;

	u64			busy_ns;
	struct wd_cpu_ctx	cpu;
};

#define WD_SOFT_TENANT_BITS	6

struct wd_soft_queue {
	/* producers (submitters), under lock */
	spinlock_t		lock;
	u32			head;		/* next slot to fill */

	/* the consumer (the engine) */
	u32			tail ____cacheline_aligned_in_smp;
	bool			idle;		/* asleep, or about to be */
	struct mm_struct	*mm;		/* adopted, mm_users held */
	struct wd_cpu_ctx	cpu;
	struct list_head	turns;		/* tenants with jobs, in turn */
	DECLARE_HASHTABLE(tenants, WD_SOFT_TENANT_BITS);
	u64			busy_ns;	/* running requests */

	struct llist_head	backlog;	/* jobs back for the engine */
	struct llist_head	workers_back;	/* workers done with a job */
	struct list_head	line;		/* tenants waiting for a worker */
	struct wd_soft_worker	*workers[WD_SOFT_WORKERS];

	struct wd_soft_slot	*ring;
	u32			mask;
	wait_queue_head_t	room;		/* blocking submitters */
	struct task_struct	*engine;
	struct wd_soft		*soft;
};

struct wd_soft {
	struct wd_device	*wdev;
	unsigned int		delay_us;
	unsigned int		poll_us;	/* busy-poll before sleeping */
	unsigned int		nr_engines;	/* queues in use */
	unsigned int		nr_queues;
	struct wd_soft_queue	queue[] __counted_by(nr_queues);
};

static struct kmem_cache *wd_soft_job_cache;
static struct kmem_cache *wd_soft_tenant_cache;

/*
 * What the engine keeps for a process's requests is allocated on its
 * behalf: charged to the memory cgroup of @mm, as if it had allocated it.
 * Without blocking: a charge that may block reclaims, or throttles the
 * charging task when the cgroup is over its high mark, and that task is
 * the engine everyone shares. A process past its limit gets -ENOMEM.
 */
static void *wd_soft_alloc_for(struct kmem_cache *cache, struct mm_struct *mm)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(mm), *old;
	void *p;

	old = set_active_memcg(memcg);
	p = kmem_cache_zalloc(cache, GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN);
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	return p;
}

static u32 wd_soft_used(struct wd_soft_queue *q)
{
	/* acquire: the engine is done with a slot before it frees it */
	return READ_ONCE(q->head) - smp_load_acquire(&q->tail);
}

/* Let go of the adopted address space (before sleeping, or to switch). */
static void wd_soft_drop_mm(struct wd_soft_queue *q)
{
	if (!q->mm)
		return;
	kthread_unuse_mm(q->mm);
	mmput_async(q->mm);
	q->mm = NULL;
}

/*
 * Work in @mm. Consecutive requests from one process (the common case)
 * keep it adopted; a process that has exited cannot be adopted.
 */
static bool wd_soft_adopt_mm(struct wd_soft_queue *q, struct mm_struct *mm)
{
	if (q->mm == mm)
		return true;
	wd_soft_drop_mm(q);
	if (!mmget_not_zero(mm))
		return false;
	kthread_use_mm(mm);
	q->mm = mm;
	return true;
}

/*
 * One slice of @j in its submitter's address space, page faults disabled.
 * Completes the request when it is finished; returns WD_CPU_DONE,
 * WD_CPU_MORE or WD_CPU_FAULT.
 */
static int wd_soft_slice(struct wd_soft_queue *q, struct wd_soft_job *j)
{
	struct wd_req *rq = j->rq;
	u64 t0 = local_clock();
	int ret;

	/* a NOP that came past a full ring: its result is set already */
	if (!rq->mm) {
		if (wd_req_canceled(rq))
			rq->res = -ECANCELED;
		wd_complete(rq);
		return WD_CPU_DONE;
	}
	if (!wd_soft_adopt_mm(q, rq->mm)) {
		rq->res = -ESRCH;
		rq->res2 = 0;
		wd_complete(rq);
		return WD_CPU_DONE;
	}
	pagefault_disable();
	ret = wd_cpu_job_run(&q->cpu, q->soft->wdev, rq, &j->cj, WD_SOFT_SLICE);
	pagefault_enable();
	WRITE_ONCE(q->busy_ns, q->busy_ns + local_clock() - t0);
	if (ret == WD_CPU_DONE)
		wd_complete(rq);
	return ret;
}

static struct wd_soft_tenant *wd_soft_tenant(struct wd_soft_queue *q,
					     struct mm_struct *mm)
{
	struct wd_soft_tenant *t;

	hash_for_each_possible(q->tenants, t, hnode, (unsigned long)mm)
		if (t->mm == mm)
			return t;
	return NULL;
}

/* @mm's tenant, new if it has none. NULL when out of memory. */
static struct wd_soft_tenant *wd_soft_tenant_get(struct wd_soft_queue *q,
						 struct mm_struct *mm)
{
	struct wd_soft_tenant *t = wd_soft_tenant(q, mm);

	if (t)
		return t;
	t = wd_soft_alloc_for(wd_soft_tenant_cache, mm);
	if (!t)
		return NULL;
	t->mm = mm;
	INIT_LIST_HEAD(&t->rr);
	INIT_LIST_HEAD(&t->jobs);
	INIT_LIST_HEAD(&t->held);
	INIT_LIST_HEAD(&t->line);
	hash_add(q->tenants, &t->hnode, (unsigned long)mm);
	return t;
}

/* A tenant with no ready job leaves the turn list; with nothing, it goes. */
static void wd_soft_tenant_settle(struct wd_soft_tenant *t)
{
	if (!list_empty(&t->jobs))
		return;
	list_del_init(&t->rr);
	if (list_empty(&t->held) && !t->stream) {
		hash_del(&t->hnode);
		kmem_cache_free(wd_soft_tenant_cache, t);
	}
}

/*
 * Queue @j behind its tenant's other jobs (in front of them: @resumed,
 * a job that was already running, goes next). A tenant that had nothing
 * ready waits for its turn behind every busy one. Returns false when out
 * of memory.
 */
static bool wd_soft_enqueue(struct wd_soft_queue *q, struct wd_soft_job *j,
			    bool resumed)
{
	struct wd_soft_tenant *t = wd_soft_tenant_get(q, j->rq->mm);

	if (!t)
		return false;
	/* not on the turn list (a tenant whose turn it is still is) */
	if (list_empty(&t->rr))
		list_add_tail(&t->rr, &q->turns);
	if (resumed)
		list_add(&j->node, &t->jobs);
	else
		list_add_tail(&j->node, &t->jobs);
	return true;
}

/*
 * After the request is completed @j->rq may be gone: what the job held is
 * in the job. The last user of an exited process's address space may be
 * here, and tearing it down is no work for a shared engine.
 */
static void wd_soft_job_free(struct wd_soft_job *j)
{
	if (j->mm_held)
		mmput_async(j->mm_held);
	kmem_cache_free(wd_soft_job_cache, j);
}

static void wd_soft_job_fail(struct wd_soft_job *j, int err)
{
	struct wd_req *rq = j->rq;

	rq->res = err;
	rq->res2 = 0;
	wd_soft_job_free(j);
	wd_complete(rq);
}

/*
 * @j stopped at a page that is not present: its submitter faults it in.
 * If it cannot (it is gone), the job ends there, where it was.
 *
 * The job keeps the address space (mm_users) from here to its end: the
 * engine lets go of it while the job is away, and a process that exits
 * meanwhile must still be there to end in (batch records say -ECANCELED,
 * and may be read through shared memory).
 */
static void wd_soft_fault(struct wd_soft_queue *q, struct wd_soft_job *j)
{
	int err;

	/* the engine has this mm adopted: mm_users cannot be zero */
	if (!j->mm_held) {
		mmget(j->rq->mm);
		j->mm_held = j->rq->mm;
	}
	err = wd_req_fault(j->rq, &j->cj.fault);

	if (!err)
		return;
	wd_cpu_job_resume(&j->cj, err);
	if (!wd_soft_enqueue(q, j, true))
		wd_soft_job_fail(j, -ENOMEM);
}

static void wd_soft_kick(struct wd_soft_queue *q);

/*
 * Run @j, a job whose next step is a long stream, up to the end of that
 * stream (a batch then goes back to the engine for the rest), in its
 * submitter's address space with page faults disabled, as the engine
 * would.
 */
static void wd_soft_worker_run(struct wd_soft_worker *w, struct wd_soft_job *j)
{
	struct wd_soft_queue *q = w->q;
	struct wd_req *rq = j->rq;
	struct mm_struct *mm = rq->mm;
	u64 t0 = local_clock();
	int ret = WD_CPU_DONE;

	if (mmget_not_zero(mm)) {
		kthread_use_mm(mm);
		pagefault_disable();
		ret = wd_cpu_job_run(&w->cpu, q->soft->wdev, rq, &j->cj, 1);
		pagefault_enable();
		/* away for a fault, a job keeps its mm: see wd_soft_fault() */
		if (ret == WD_CPU_FAULT && !j->mm_held) {
			mmget(mm);
			j->mm_held = mm;
		}
		kthread_unuse_mm(mm);
		mmput_async(mm);
	} else {
		rq->res = -ESRCH;
		rq->res2 = 0;
	}
	WRITE_ONCE(w->busy_ns, w->busy_ns + local_clock() - t0);

	/*
	 * Tell the engine before completing: once the last request is
	 * complete the device may be unregistered, and the engine stopped.
	 */
	j->ret = ret;
	w->back = ret == WD_CPU_DONE ? NULL : j;
	WRITE_ONCE(w->job, NULL);
	llist_add(&w->lnode, &q->workers_back);
	wd_soft_kick(q);
	if (ret == WD_CPU_DONE) {
		wd_soft_job_free(j);
		wd_complete(rq);
	}
}

static int wd_soft_worker_fn(void *data)
{
	struct wd_soft_worker *w = data;
	struct wd_soft_job *j;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		/* acquire: pairs with the release handing the job over */
		j = smp_load_acquire(&w->job);
		if (j) {
			__set_current_state(TASK_RUNNING);
			wd_soft_worker_run(w, j);
			continue;
		}
		/* stopping only ever happens once every request is done */
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static void wd_soft_worker_free(struct wd_soft_worker *w)
{
	if (w->task)
		kthread_stop(w->task);
	kfree(w->cpu.bounce);
	wd_cpu_ctx_free_codecs(&w->cpu);
	kfree(w);
}

/* Start stream worker @i of @q. NULL when out of memory. */
static struct wd_soft_worker *wd_soft_worker_new(struct wd_soft_queue *q,
						 unsigned int i)
{
	struct wd_soft_worker *w = kzalloc(sizeof(*w), GFP_KERNEL);
	struct task_struct *task;

	if (!w)
		return NULL;
	w->q = q;
	w->cpu.bounce = kmalloc(WD_CPU_BOUNCE_MAX, GFP_KERNEL);
	w->cpu.bounce_size = WD_CPU_BOUNCE_MAX;
	w->cpu.in_place = true;
	w->cpu.trap_faults = true;
	if (!w->cpu.bounce || wd_cpu_ctx_alloc_codecs(&w->cpu))
		goto err;
	task = kthread_create(wd_soft_worker_fn, w, "wd_soft0/%u.%u",
			      (unsigned int)(q - q->soft->queue), i);
	if (IS_ERR(task))
		goto err;
	w->task = task;
	wake_up_process(task);
	/* release: busy_ns_show() reads the worker's counter without a lock */
	smp_store_release(&q->workers[i], w);
	return w;

err:
	wd_soft_worker_free(w);
	return NULL;
}

/*
 * An idle stream worker, or a new one while @q has fewer than
 * WD_SOFT_WORKERS (the first is started with the queue). NULL: all busy.
 */
static struct wd_soft_worker *wd_soft_idle_worker(struct wd_soft_queue *q)
{
	unsigned int i;

	for (i = 0; i < WD_SOFT_WORKERS; i++) {
		if (!q->workers[i])
			return wd_soft_worker_new(q, i);
		if (!q->workers[i]->busy)
			return q->workers[i];
	}
	return NULL;
}

/*
 * Give @t's next long stream to a worker, if it has none running; with
 * every worker busy, @t gets in line for the next one that is free.
 */
static void wd_soft_dispatch(struct wd_soft_queue *q, struct wd_soft_tenant *t)
{
	struct wd_soft_worker *w;
	struct wd_soft_job *j;

	/*
	 * A stream canceled while it waited needs no worker: the engine ends
	 * it at once (a batch's records included).
	 */
	while (!list_empty(&t->held)) {
		j = list_first_entry(&t->held, struct wd_soft_job, node);
		if (!wd_req_canceled(j->rq) && !wd_req_owner_gone(j->rq))
			break;
		if (list_empty(&t->rr))
			list_add_tail(&t->rr, &q->turns);
		list_move_tail(&j->node, &t->jobs);
	}
	if (t->stream || list_empty(&t->held))
		return;
	w = wd_soft_idle_worker(q);
	if (!w) {
		if (list_empty(&t->line))
			list_add_tail(&t->line, &q->line);
		return;
	}
	j = list_first_entry(&t->held, struct wd_soft_job, node);
	list_del(&j->node);
	list_del_init(&t->line);
	t->stream = w;
	w->t = t;
	w->busy = true;
	/* release: the job is filled in before the worker can see it */
	smp_store_release(&w->job, j);
	wake_up_process(w->task);
}

/* @j's next step is a long stream: it waits for its tenant's worker. */
static void wd_soft_hold(struct wd_soft_queue *q, struct wd_soft_tenant *t,
			 struct wd_soft_job *j)
{
	list_add_tail(&j->node, &t->held);
	wd_soft_dispatch(q, t);
}

/*
 * Workers that are done with a job: a job not finished rejoins its tenant
 * (or goes to its submitter for a fault), the tenant's next stream gets
 * the worker, and tenants in line get the workers left idle.
 */
static void wd_soft_take_workers(struct wd_soft_queue *q)
{
	struct llist_node *first = llist_del_all(&q->workers_back);
	struct wd_soft_worker *w, *tmp;
	struct wd_soft_tenant *t;

	first = llist_reverse_order(first);
	llist_for_each_entry_safe(w, tmp, first, lnode) {
		struct wd_soft_job *j = w->back;

		t = w->t;
		w->back = NULL;
		w->t = NULL;
		w->busy = false;
		t->stream = NULL;
		if (j && j->ret == WD_CPU_FAULT)
			wd_soft_fault(q, j);
		else if (j && !wd_soft_enqueue(q, j, true))
			wd_soft_job_fail(j, -ENOMEM);
		/* its next stream waits its turn behind those in line */
		if (list_empty(&q->line))
			wd_soft_dispatch(q, t);
		else if (!list_empty(&t->held) && list_empty(&t->line))
			list_add_tail(&t->line, &q->line);
		wd_soft_tenant_settle(t);
	}
	while (!list_empty(&q->line) && wd_soft_idle_worker(q)) {
		t = list_first_entry(&q->line, struct wd_soft_tenant, line);
		list_del_init(&t->line);
		wd_soft_dispatch(q, t);
	}
}

/*
 * A request taken off the ring. When no tenant is waiting for its turn it
 * gets its first slice at once (a short request, the common case, is then
 * done without ever being queued); otherwise it queues for its tenant's
 * turn like everything else.
 */
static void wd_soft_take(struct wd_soft_queue *q, struct wd_req *rq,
			 const struct wd_args *args)
{
	unsigned int delay = READ_ONCE(q->soft->delay_us);
	struct wd_soft_job job = { .rq = rq, .q = q }, *j;
	int ret = WD_CPU_MORE;

	if (delay)
		fsleep(delay);

	/* NOP: the core has set the result it must complete with. */
	if (!rq->mm) {
		if (wd_req_canceled(rq))
			rq->res = -ECANCELED;
		wd_complete(rq);
		return;
	}
	wd_cpu_job_init(&job.cj, args);
	if (list_empty(&q->turns)) {
		ret = wd_soft_slice(q, &job);
		if (ret == WD_CPU_DONE)
			return;
	}
	j = wd_soft_alloc_for(wd_soft_job_cache, rq->mm);
	if (!j) {
		rq->res = -ENOMEM;
		rq->res2 = 0;
		wd_complete(rq);
		return;
	}
	*j = job;
	if (ret == WD_CPU_FAULT) {
		wd_soft_fault(q, j);
	} else if (ret == WD_CPU_STREAM) {
		struct wd_soft_tenant *t = wd_soft_tenant_get(q, rq->mm);

		if (t)
			wd_soft_hold(q, t, j);
		else
			wd_soft_job_fail(j, -ENOMEM);
	} else if (!wd_soft_enqueue(q, j, false)) {
		wd_soft_job_fail(j, -ENOMEM);
	}
}

/* Everything on the ring, into its tenant's queue. */
static void wd_soft_take_ring(struct wd_soft_queue *q)
{
	/* acquire: pairs with the release publishing filled slots */
	u32 head = smp_load_acquire(&q->head);

	while (q->tail != head) {
		struct wd_soft_slot *slot = &q->ring[q->tail & q->mask];
		struct wd_req *rq = slot->rq;
		struct wd_args args = slot->args;

		/* The slot is free once copied out. */
		smp_store_release(&q->tail, q->tail + 1);
		if (wq_has_sleeper(&q->room))
			wake_up(&q->room);

		wd_soft_take(q, rq, &args);
		cond_resched();
	}
}

/* Jobs back from their submitters (or forced in) rejoin their tenants. */
static void wd_soft_take_backlog(struct wd_soft_queue *q)
{
	struct llist_node *first = llist_del_all(&q->backlog);
	struct wd_soft_job *j, *tmp;

	llist_for_each_entry_safe(j, tmp, llist_reverse_order(first), lnode)
		if (!wd_soft_enqueue(q, j, true))
			wd_soft_job_fail(j, -ENOMEM);
}

/*
 * One turn: a slice of the first job of the tenant whose turn it is. The
 * job, if not finished, goes to the back of its tenant's jobs, and the
 * tenant to the back of the line if it has more.
 */
static void wd_soft_turn(struct wd_soft_queue *q)
{
	struct wd_soft_tenant *t = list_first_entry(&q->turns,
						    struct wd_soft_tenant, rr);
	struct wd_soft_job *j = list_first_entry(&t->jobs, struct wd_soft_job,
						 node);
	int ret = wd_soft_slice(q, j);

	if (ret == WD_CPU_MORE) {
		/* its other jobs take turns too: short ones pass long ones */
		list_move_tail(&j->node, &t->jobs);
	} else {
		list_del(&j->node);
		if (ret == WD_CPU_STREAM)
			wd_soft_hold(q, t, j);
		else if (ret == WD_CPU_FAULT)
			wd_soft_fault(q, j);
		else
			wd_soft_job_free(j);
	}
	if (list_empty(&t->jobs))
		wd_soft_tenant_settle(t);
	else
		list_move_tail(&t->rr, &q->turns);
}

static bool wd_soft_has_work(struct wd_soft_queue *q)
{
	return READ_ONCE(q->head) != q->tail || !list_empty(&q->turns) ||
	       !llist_empty(&q->backlog) || !llist_empty(&q->workers_back);
}

/*
 * Busy-poll the ring for a while before going to sleep: a submitter that
 * keeps submitting finds the engine awake, and neither side pays for a
 * wake-up (the doorbell only wakes a sleeping engine). Anyone else who
 * needs this CPU ends the poll at once. Returns true when work arrived.
 */
static bool wd_soft_poll(struct wd_soft_queue *q)
{
	unsigned int us = READ_ONCE(q->soft->poll_us);
	u64 end;

	if (!us)
		return false;
	end = local_clock() + (u64)us * NSEC_PER_USEC;
	do {
		if (wd_soft_has_work(q))
			return true;
		cpu_relax();
	} while (!need_resched() && local_clock() < end);
	return false;
}

static int wd_soft_engine(void *data)
{
	struct wd_soft_queue *q = data;

	for (;;) {
		/* new arrivals join the line before every turn */
		wd_soft_take_ring(q);
		if (!llist_empty(&q->backlog))
			wd_soft_take_backlog(q);
		if (!llist_empty(&q->workers_back))
			wd_soft_take_workers(q);
		if (!list_empty(&q->turns)) {
			wd_soft_turn(q);
			cond_resched();
			continue;
		}
		if (wd_soft_poll(q))
			continue;

		/* Idle: nothing of a process may stay pinned. */
		wd_soft_drop_mm(q);
		WRITE_ONCE(q->idle, true);
		/* pairs with the barrier in wd_soft_kick() */
		set_current_state(TASK_INTERRUPTIBLE);
		if (!wd_soft_has_work(q)) {
			/*
			 * Stopping only ever happens after unregistration has
			 * drained every request.
			 */
			if (kthread_should_stop())
				break;
			schedule();
		}
		__set_current_state(TASK_RUNNING);
		WRITE_ONCE(q->idle, false);
	}
	__set_current_state(TASK_RUNNING);
	WRITE_ONCE(q->idle, false);
	wd_soft_drop_mm(q);
	return 0;
}

/* Wake the engine if it sleeps: work was published before this. */
static void wd_soft_kick(struct wd_soft_queue *q)
{
	/* pairs with set_current_state() in the engine */
	smp_mb();
	if (READ_ONCE(q->idle))
		wake_up_process(q->engine);
}

/*
 * Ring the doorbell: what a device's tail-register write would be. Only a
 * sleeping engine needs the wakeup, but the barrier and the check are the
 * doorbell's cost on every ring, so every ring is counted.
 */
static void wd_soft_doorbell(struct wd_soft_queue *q)
{
	wd_doorbell_count(q->soft->wdev);
	wd_soft_kick(q);
}

/* A job goes (back) to its queue's engine, past the ring. */
static void wd_soft_backlog(struct wd_soft_queue *q, struct wd_soft_job *j)
{
	llist_add(&j->lnode, &q->backlog);
	wd_soft_kick(q);
}

/* The submitter has faulted in what @rq stopped at (or could not). */
static void wd_soft_resume(struct wd_device *wdev, struct wd_req *rq,
			   struct wd_fault *fault, int err)
{
	struct wd_soft_job *j = container_of(fault, struct wd_soft_job,
					     cj.fault);

	wd_cpu_job_resume(&j->cj, err);
	wd_soft_backlog(j->q, j);
}

/*
 * A request from the issue path (or the rest of one part of which has run
 * there, WD_SUBMIT_FORCE) with the ring full: it cannot be refused, so it
 * goes in past the ring, bounded by what its file may have in flight.
 */
static int wd_soft_force(struct wd_soft_queue *q, struct wd_req *rq,
			 const struct wd_args *args)
{
	struct wd_soft_job *j = kmem_cache_zalloc(wd_soft_job_cache,
						  GFP_KERNEL_ACCOUNT);

	if (!j)
		return -ENOMEM;
	j->rq = rq;
	j->q = q;
	wd_cpu_job_init(&j->cj, args);
	wd_soft_backlog(q, j);
	return 0;
}

/* The end of a submission batch: one doorbell for what it queued on @queue. */
static void wd_soft_commit(struct wd_device *wdev, void *queue)
{
	wd_soft_doorbell(queue);
}

static DEFINE_PER_CPU(unsigned int, wd_soft_next);

static int wd_soft_submit(struct wd_device *wdev, struct wd_req *rq,
			  const struct wd_args *args, unsigned int sflags)
{
	struct wd_soft *soft = wdev->priv;
	struct wd_soft_queue *q;
	struct wd_soft_slot *slot;
	int ret;

	/*
	 * Each CPU deals its requests round the engines in use: one submitter
	 * keeps them all busy, and no cache line is shared between CPUs.
	 */
	q = &soft->queue[raw_cpu_inc_return(wd_soft_next) %
			 READ_ONCE(soft->nr_engines)];
	for (;;) {
		spin_lock(&q->lock);
		if (wd_soft_used(q) <= q->mask)
			break;
		spin_unlock(&q->lock);
		/*
		 * Full, in the issue path: past the ring (never -EAGAIN,
		 * see wd_ops.submit). What a file may have in flight bounds
		 * this.
		 */
		if (sflags & (WD_SUBMIT_FORCE | WD_SUBMIT_NOWAIT))
			return wd_soft_force(q, rq, args);
		ret = wait_event_killable(q->room, wd_soft_used(q) <= q->mask);
		if (ret)
			return ret;
	}
	slot = &q->ring[q->head & q->mask];
	slot->rq = rq;
	slot->args = *args;
	/* publish the slot before the engine can see the new head */
	smp_store_release(&q->head, q->head + 1);
	spin_unlock(&q->lock);

	if (!wd_doorbell_defer(wdev, q))
		wd_soft_doorbell(q);
	return 0;
}

/* Inline execution, in the submitter: a small bounce buffer on the stack. */
static u32 wd_soft_execute(struct wd_device *wdev, struct wd_req *rq,
			   const struct wd_args *args)
{
	/* written before it is read: not worth zeroing on every request */
	u8 buf[WD_SOFT_STACK_BOUNCE] __aligned(16) __uninitialized;
	struct wd_cpu_ctx ctx = {
		.bounce		= buf,
		.bounce_size	= sizeof(buf),
		.may_grow	= true,
	};
	u32 consumed;

	consumed = wd_cpu_run(&ctx, wdev, rq, args, READ_ONCE(wdev->inline_max));
	wd_cpu_ctx_release(&ctx);
	return consumed;
}

static const struct wd_ops wd_soft_ops = {
	.owner		= THIS_MODULE,
	.name		= "soft",
	.submit		= wd_soft_submit,
	.execute	= wd_soft_execute,
	.commit		= wd_soft_commit,
	.resume		= wd_soft_resume,
};

static ssize_t delay_us_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	return sysfs_emit(buf, "%u\n", READ_ONCE(soft->delay_us));
}

/* Parse a knob's value and store it if it lies in [@min, @max]. */
static ssize_t wd_soft_store_uint(const char *buf, size_t count,
				  unsigned int min, unsigned int max,
				  unsigned int *knob)
{
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val < min || val > max)
		return -EINVAL;
	WRITE_ONCE(*knob, val);
	return count;
}

static ssize_t delay_us_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	/* A second per request is plenty to keep anything in flight. */
	return wd_soft_store_uint(buf, count, 0, USEC_PER_SEC,
				  &soft->delay_us);
}
static DEVICE_ATTR_RW(delay_us);

static ssize_t poll_us_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	return sysfs_emit(buf, "%u\n", READ_ONCE(soft->poll_us));
}

static ssize_t poll_us_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	return wd_soft_store_uint(buf, count, 0, WD_SOFT_POLL_MAX_US,
				  &soft->poll_us);
}
static DEVICE_ATTR_RW(poll_us);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	return sysfs_emit(buf, "%u\n", READ_ONCE(soft->nr_engines));
}

/*
 * Requests already queued stay where they are and are run by their queue's
 * engine; only new submissions see the new count.
 */
static ssize_t engines_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;

	return wd_soft_store_uint(buf, count, 1, soft->nr_queues,
				  &soft->nr_engines);
}
static DEVICE_ATTR_RW(engines);

/*
 * The engines' CPU time spent running requests (busy-polling and idling
 * not included), since load: the work soft0 does on submitters' behalf,
 * which no process's own CPU time shows.
 */
static ssize_t busy_ns_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct wd_soft *soft = wd_dev_to_wdev(dev)->priv;
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < soft->nr_queues; i++) {
		struct wd_soft_queue *q = &soft->queue[i];
		unsigned int k;

		sum += READ_ONCE(q->busy_ns);
		for (k = 0; k < WD_SOFT_WORKERS; k++) {
			struct wd_soft_worker *w;

			/* pairs with the release publishing a new worker */
			w = smp_load_acquire(&q->workers[k]);

			if (w)
				sum += READ_ONCE(w->busy_ns);
		}
	}
	return sysfs_emit(buf, "%llu\n", sum);
}
static DEVICE_ATTR_RO(busy_ns);

static struct attribute *wd_soft_attrs[] = {
	&dev_attr_busy_ns.attr,
	&dev_attr_delay_us.attr,
	&dev_attr_poll_us.attr,
	&dev_attr_engines.attr,
	NULL,
};
ATTRIBUTE_GROUPS(wd_soft);

static struct wd_device *wd_soft0;

static void wd_soft_free_queues(struct wd_soft *soft, unsigned int n)
{
	while (n--) {
		struct wd_soft_queue *q = &soft->queue[n];
		struct wd_soft_tenant *t;
		struct hlist_node *tmp;
		unsigned int i;

		if (q->engine)
			kthread_stop(q->engine);
		for (i = 0; i < WD_SOFT_WORKERS; i++)
			if (q->workers[i])
				wd_soft_worker_free(q->workers[i]);
		/* a worker's last word may have come after the engine stopped */
		hash_for_each_safe(q->tenants, i, tmp, t, hnode)
			kmem_cache_free(wd_soft_tenant_cache, t);
		kvfree(q->ring);
		kfree(q->cpu.bounce);
		wd_cpu_ctx_free_codecs(&q->cpu);
	}
}

static int wd_soft_init_queue(struct wd_soft *soft, unsigned int i)
{
	struct wd_soft_queue *q = &soft->queue[i];

	spin_lock_init(&q->lock);
	init_waitqueue_head(&q->room);
	INIT_LIST_HEAD(&q->turns);
	hash_init(q->tenants);
	init_llist_head(&q->backlog);
	init_llist_head(&q->workers_back);
	INIT_LIST_HEAD(&q->line);
	q->soft = soft;
	q->mask = ring_size - 1;
	q->ring = kvcalloc(ring_size, sizeof(*q->ring), GFP_KERNEL);
	q->cpu.bounce = kmalloc(WD_CPU_BOUNCE_MAX, GFP_KERNEL);
	q->cpu.bounce_size = WD_CPU_BOUNCE_MAX;
	q->cpu.in_place = true;
	q->cpu.trap_faults = true;
	q->cpu.stream_max = WD_SOFT_STREAM_MIN;
	if (!q->ring || !q->cpu.bounce || wd_cpu_ctx_alloc_codecs(&q->cpu))
		return -ENOMEM;
	/* one worker from the start: long streams always have somewhere to run */
	if (!wd_soft_worker_new(q, 0))
		return -ENOMEM;

	q->engine = kthread_create(wd_soft_engine, q, "wd_soft0/%u", i);
	if (IS_ERR(q->engine)) {
		int ret = PTR_ERR(q->engine);

		q->engine = NULL;
		return ret;
	}
	wake_up_process(q->engine);
	return 0;
}

static int __init wd_soft_init(void)
{
	struct wd_device *wdev;
	struct wd_soft *soft;
	unsigned int i;
	int ret;

	if (!queues || queues > WD_SOFT_MAX_QUEUES ||
	    !engines || engines > queues ||
	    !is_power_of_2(ring_size) || ring_size < 8 || ring_size > 65536)
		return -EINVAL;

	wd_soft_job_cache = KMEM_CACHE(wd_soft_job, 0);
	wd_soft_tenant_cache = KMEM_CACHE(wd_soft_tenant, 0);
	if (!wd_soft_job_cache || !wd_soft_tenant_cache) {
		ret = -ENOMEM;
		goto err_caches;
	}

	wdev = wd_device_alloc(NULL, &wd_soft_ops,
			       struct_size(soft, queue, queues));
	if (IS_ERR(wdev)) {
		ret = PTR_ERR(wdev);
		goto err_caches;
	}

	soft = wdev->priv;
	soft->wdev = wdev;
	soft->nr_queues = queues;
	soft->nr_engines = engines;
	soft->poll_us = WD_SOFT_POLL_US;
	wdev->ops_mask = BIT_ULL(WD_OP_NOP) | BIT_ULL(WD_OP_COPY) |
			 BIT_ULL(WD_OP_FILL) | BIT_ULL(WD_OP_COMPARE) |
			 BIT_ULL(WD_OP_COMPARE_PATTERN) |
			 BIT_ULL(WD_OP_CRC32C) | BIT_ULL(WD_OP_COPY_CRC32C) |
			 BIT_ULL(WD_OP_DUALCAST) | BIT_ULL(WD_OP_COMPRESS) |
			 BIT_ULL(WD_OP_DECOMPRESS);
	wdev->comp_formats = wd_cpu_comp_formats();
	wdev->dev_flags = WD_DEV_F_CPU_SVA;
	wdev->max_len = WD_SOFT_MAX_LEN;
	wdev->nr_queues = queues;
	wdev->inline_max = WD_SOFT_INLINE_MAX;
	wdev->groups = wd_soft_groups;

	for (i = 0; i < queues; i++) {
		ret = wd_soft_init_queue(soft, i);
		if (ret) {
			i++;	/* free the half-built queue too */
			goto err_free_queues;
		}
	}

	ret = wd_device_register(wdev, "soft0");
	if (ret)
		goto err_free_queues;

	wd_soft0 = wdev;
	return 0;

err_free_queues:
	wd_soft_free_queues(soft, i);
	wd_device_put(wdev);
err_caches:
	kmem_cache_destroy(wd_soft_tenant_cache);
	kmem_cache_destroy(wd_soft_job_cache);
	return ret;
}

static void __exit wd_soft_exit(void)
{
	struct wd_soft *soft = wd_soft0->priv;

	/* Engines keep running until unregistration has drained them. */
	wd_device_unregister(wd_soft0);
	wd_soft_free_queues(soft, soft->nr_queues);
	wd_device_put(wd_soft0);
	kmem_cache_destroy(wd_soft_tenant_cache);
	kmem_cache_destroy(wd_soft_job_cache);
}

module_init(wd_soft_init);
module_exit(wd_soft_exit);
MODULE_DESCRIPTION("WarpDrive software engine");
MODULE_LICENSE("GPL");
