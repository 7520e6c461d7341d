/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest instruction counts from the lab's counting plugin
 * (scripts/bench/insn-count.c), for wd-bench's deterministic mode.
 *
 * wd_count_begin() and wd_count_end() execute the plugin's two marker
 * instructions; at the second, the plugin answers with what the machine
 * did in between (user and kernel instructions per CPU, and the SYSCALL
 * instructions of user space) on a serial port, which is read here, after
 * the window has closed.
 */
#ifndef WD_COUNT_H
#define WD_COUNT_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define WD_COUNT_CPUS	8

struct wd_count {
	uint64_t syscalls;
	uint64_t user[WD_COUNT_CPUS], kernel[WD_COUNT_CPUS];
	unsigned int cpus;
};

/* The serial port the plugin answers on, raw; an fd or -errno. */
static inline int wd_count_open(const char *tty)
{
	struct termios t;
	int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(fd, TCSANOW, &t);
	}
	tcflush(fd, TCIFLUSH);
	return fd;
}

/* Open a window: nopl 0x42434457(%rax), "WDCB". */
static inline void wd_count_begin(void)
{
	asm volatile(".byte 0x0f, 0x1f, 0x80, 0x57, 0x44, 0x43, 0x42"
		     ::: "memory");
}

/*
 * Close the window and read its cost through @fd (from wd_count_open());
 * 0 or -errno.
 */
static inline int wd_count_end(int fd, struct wd_count *c)
{
	char line[64 + WD_COUNT_CPUS * 42], *p, *end;
	size_t n = 0;

	/* nopl 0x45434457(%rax), "WDCE" */
	asm volatile(".byte 0x0f, 0x1f, 0x80, 0x57, 0x44, 0x43, 0x45"
		     ::: "memory");
	while (!memchr(line, '\n', n)) {
		ssize_t r;

		if (n == sizeof(line) - 1)
			return -EPROTO;
		r = read(fd, line + n, sizeof(line) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		n += r;
	}
	line[n] = '\0';
	if (strncmp(line, "wdct ", 5))
		return -EPROTO;
	c->syscalls = strtoull(line + 5, &end, 10);
	for (c->cpus = 0; c->cpus < WD_COUNT_CPUS; c->cpus++) {
		p = end;
		c->user[c->cpus] = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
		c->kernel[c->cpus] = strtoull(p, &end, 10);
		if (end == p)
			return -EPROTO;
	}
	return c->cpus ? 0 : -EPROTO;
}

#endif
