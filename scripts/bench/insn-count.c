// SPDX-License-Identifier: GPL-2.0
/*
 * insn-count: a QEMU TCG plugin for wd-bench's deterministic mode.
 *
 * It counts the guest instructions each vCPU executes, in user space and
 * in the kernel (told apart by address: an x86-64 kernel runs in the
 * upper half of the address space), and the user-space SYSCALL
 * instructions of all vCPUs, between two marker instructions the guest
 * executes: NOPs whose displacements spell "WDCB" (begin) and "WDCE"
 * (end), which nothing else emits. At the end marker it writes what the
 * window cost as one line,
 *	wdct SYSCALLS USER0 KERNEL0 USER1 KERNEL1 ...
 * to the file named by its out= argument: the host end of a serial port,
 * from which wd-bench in the guest reads it back. Nothing crosses that
 * port inside a window, so reading the figures costs the window nothing.
 *
 * A translated block's instructions are counted when it starts, so a
 * block left early (a fault or an exception part-way) counts whole. Run
 * with -icount and one TCG thread: the counters are not atomic, and only
 * with the guest clock driven by the instruction count do timer
 * interrupts and polling deadlines fall at the same points in every run.
 *
 * With profile=FILE (and window=N: only the Nth window; default every
 * window), it also writes at exit, for each translated block that ran in
 * a window, "VADDR INSNS-ON-VCPU-0 INSNS-ON-THE-OTHERS": where the
 * instructions went, for scripts/bench/profile.sh to name by symbol.
 *
 * Built by scripts/bench/plugin.sh against Debian's qemu-plugin.h for the
 * QEMU that runs it.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* nopl 0x42434457(%rax), nopl 0x45434457(%rax): see tools/wd-count.h */
static const uint8_t mark_begin[] = { 0x0f, 0x1f, 0x80, 'W', 'D', 'C', 'B' };
static const uint8_t mark_end[] = { 0x0f, 0x1f, 0x80, 'W', 'D', 'C', 'E' };
static const uint8_t syscall_insn[] = { 0x0f, 0x05 };

#define MAX_VCPUS	64

/* [vcpu][0]: user, [vcpu][1]: kernel */
static uint64_t insns[MAX_VCPUS][2], begin_insns[MAX_VCPUS][2];
static uint64_t syscalls, begin_syscalls;
static unsigned int nr_vcpus;
static int out_fd = -1;

/* A translated block, for its counting and for the profile. */
struct block {
	uint64_t vaddr;
	uint64_t insns[2];	/* in the profiled windows: vCPU 0, others */
	unsigned int n;		/* instructions in the block */
	int kernel;
	struct block *next;
};

static struct block *blocks;	/* every block, when profiling */
static const char *profile_path;
static unsigned long profile_window, window_nr;
static int profiling;

static int insn_is(const struct qemu_plugin_insn *insn, const uint8_t *bytes,
		   size_t len)
{
	return qemu_plugin_insn_size(insn) == len &&
	       !memcmp(qemu_plugin_insn_data(insn), bytes, len);
}

static void begin(unsigned int vcpu_index, void *udata)
{
	(void)vcpu_index;
	(void)udata;
	memcpy(begin_insns, insns, sizeof(insns));
	begin_syscalls = syscalls;
	window_nr++;
	profiling = profile_path &&
		    (!profile_window || window_nr == profile_window);
}

static void end(unsigned int vcpu_index, void *udata)
{
	char line[64 + MAX_VCPUS * 42];
	unsigned int i;
	int n;

	(void)vcpu_index;
	(void)udata;
	profiling = 0;
	n = snprintf(line, sizeof(line), "wdct %" PRIu64,
		     syscalls - begin_syscalls);
	for (i = 0; i < nr_vcpus; i++)
		n += snprintf(line + n, sizeof(line) - n, " %" PRIu64 " %" PRIu64,
			      insns[i][0] - begin_insns[i][0],
			      insns[i][1] - begin_insns[i][1]);
	n += snprintf(line + n, sizeof(line) - n, "\n");
	if (write(out_fd, line, n) != n)
		qemu_plugin_outs("insn-count: short write to out=\n");
}

/* Without a profile: @udata is the block's length, times two, + kernel. */
static void block_counts(unsigned int vcpu_index, void *udata)
{
	uintptr_t v = (uintptr_t)udata;

	if (vcpu_index < MAX_VCPUS)
		insns[vcpu_index][v & 1] += v >> 1;
}

/* With one: @udata is the block's struct block. */
static void block_runs(unsigned int vcpu_index, void *udata)
{
	struct block *b = udata;

	if (vcpu_index >= MAX_VCPUS)
		return;
	insns[vcpu_index][b->kernel] += b->n;
	if (profiling)
		b->insns[vcpu_index != 0] += b->n;
}

static void write_profile(qemu_plugin_id_t id, void *udata)
{
	struct block *b;
	FILE *f;

	(void)id;
	(void)udata;
	f = fopen(profile_path, "w");
	if (!f) {
		qemu_plugin_outs("insn-count: cannot write the profile\n");
		return;
	}
	for (b = blocks; b; b = b->next)
		if (b->insns[0] || b->insns[1])
			fprintf(f, "%016" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
				b->vaddr, b->insns[0], b->insns[1]);
	fclose(f);
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	int kernel = qemu_plugin_tb_vaddr(tb) >> 63;
	struct block *b;

	(void)id;
	if (!profile_path) {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, block_counts,
			QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)(n << 1 | kernel));
	} else {
		b = calloc(1, sizeof(*b));
		if (!b) {
			qemu_plugin_outs("insn-count: out of memory\n");
			abort();
		}
		b->vaddr = qemu_plugin_tb_vaddr(tb);
		b->n = n;
		b->kernel = kernel;
		/*
		 * Every block stays on the list for the whole run (QEMU has
		 * no hook for a block's end): some megabytes for a lab run.
		 */
		b->next = blocks;
		blocks = b;
		qemu_plugin_register_vcpu_tb_exec_cb(tb, block_runs,
						     QEMU_PLUGIN_CB_NO_REGS, b);
	}
	if (kernel)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (insn_is(insn, syscall_insn, sizeof(syscall_insn)))
			qemu_plugin_register_vcpu_insn_exec_inline(insn,
				QEMU_PLUGIN_INLINE_ADD_U64, &syscalls, 1);
		else if (insn_is(insn, mark_begin, sizeof(mark_begin)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, begin,
				QEMU_PLUGIN_CB_NO_REGS, NULL);
		else if (insn_is(insn, mark_end, sizeof(mark_end)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, end,
				QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	if (!info->system_emulation || strcmp(info->target_name, "x86_64")) {
		qemu_plugin_outs("insn-count: for qemu-system-x86_64 only\n");
		return -1;
	}
	nr_vcpus = info->system.max_vcpus;
	if (nr_vcpus > MAX_VCPUS)
		nr_vcpus = MAX_VCPUS;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			/* read-write: opening a FIFO so does not wait for a reader */
			out_fd = open(argv[i] + 4, O_RDWR | O_CLOEXEC);
		else if (!strncmp(argv[i], "profile=", 8))
			profile_path = argv[i] + 8;
		else if (!strncmp(argv[i], "window=", 7))
			profile_window = strtoul(argv[i] + 7, NULL, 10);
	}
	if (out_fd < 0) {
		qemu_plugin_outs("insn-count: out=FILE is needed and must open\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	if (profile_path)
		qemu_plugin_register_atexit_cb(id, write_profile, NULL);
	return 0;
}
