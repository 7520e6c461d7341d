// SPDX-License-Identifier: GPL-2.0
/*
 * wd-httpd: a small HTTP/1.1 static file server on one io_uring ring, with
 * gzip done by a WarpDrive device on that same ring.
 *
 * Every step is an SQE on the one ring, and one thread drives them all:
 *
 *   ACCEPT (multishot) -> RECV the request -> OPENAT2 the file (beneath the
 *   document root, no magic links) -> STATX it -> READ it, and, when the
 *   client accepts gzip, a WarpDrive COMPRESS linked to that READ, so both
 *   go in one submission -> SENDMSG the head and the body -> RECV the next
 *   request on the connection, or CLOSE.
 *
 * The READ -> COMPRESS link is the point of the example: the compression is
 * offloaded exactly like the I/O around it, and the event loop never
 * waits on it. A file that does not get smaller is sent as it is.
 *
 * Responses: 200, 400 (malformed), 404 (missing, or outside the document
 * root), 405 (not GET or HEAD), 413 (file over the size limit), 500, 505
 * (not HTTP/1.x). Connections are kept alive unless the client says
 * otherwise (or speaks HTTP/1.0 without asking); pipelined requests are
 * answered in order.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <liburing.h>
#include <liburing-accel.h>

#define REQ_MAX		8192		/* request head, bytes */
#define HEAD_MAX	512		/* response head, bytes */
#define RING_ENTRIES	256

/* What a CQE finished: the low bits of its user_data. */
enum step {
	STEP_ACCEPT,
	STEP_RECV,
	STEP_OPEN,
	STEP_STATX,
	STEP_READ,
	STEP_COMPRESS,
	STEP_SEND,
	STEP_CLOSE_FILE,
	STEP_CLOSE,
	STEP_BITS = 4,
};

struct conn {
	int sock;
	int file;		/* -1 when none */
	int inflight;		/* SQEs of this connection not yet completed */
	bool closing;

	/* the request being served */
	char req[REQ_MAX + 1];
	size_t req_len;		/* bytes in req, possibly beyond this request */
	size_t head_len;	/* this request's head, blank line included */
	const char *method;	/* in req, for the log; NULL before parsing */
	const char *target;
	bool head_only;		/* HEAD */
	bool keep_alive;
	bool gzip;		/* the client accepts it */
	const char *type;	/* Content-Type */

	struct statx stx;
	uint8_t *body;		/* the file */
	uint8_t *gz;		/* its compressed form */
	uint32_t body_len, gz_len, gz_cap;
	int read_res, compress_res;

	/* the response being sent */
	char head[HEAD_MAX];
	struct iovec iov[2];
	struct msghdr msg;
};

static struct config {
	int port;
	const char *root;
	const char *device;
	unsigned int level;
	unsigned int max_file;
	bool verbose;
} cfg = {
	.port = 8080,
	.root = ".",
	.device = "soft0",
	.level = 1,
	.max_file = 16U << 20,
};

static struct io_uring ring;
static int root_fd, accel_fd = -1, listen_fd;
static volatile sig_atomic_t stopping;
static unsigned long served, served_gzip;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void log_msg(const char *fmt, ...)
{
	va_list ap;

	if (!cfg.verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* An SQE, submitting what is queued if the ring is full. */
static struct io_uring_sqe *get_sqe(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	while (!sqe) {
		io_uring_submit(&ring);
		sqe = io_uring_get_sqe(&ring);
	}
	return sqe;
}

static void tag(struct io_uring_sqe *sqe, struct conn *c, enum step step)
{
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)c | step);
	if (c)
		c->inflight++;
}

static void arm_accept(void)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_multishot_accept(sqe, listen_fd, NULL, NULL, 0);
	tag(sqe, NULL, STEP_ACCEPT);
}

static void arm_recv(struct conn *c)
{
	struct io_uring_sqe *sqe = get_sqe();

	io_uring_prep_recv(sqe, c->sock, c->req + c->req_len,
			   REQ_MAX - c->req_len, 0);
	tag(sqe, c, STEP_RECV);
}

static void put_file(struct conn *c)
{
	if (c->file >= 0) {
		struct io_uring_sqe *sqe = get_sqe();

		io_uring_prep_close(sqe, c->file);
		tag(sqe, c, STEP_CLOSE_FILE);
		c->file = -1;
	}
	free(c->body);
	free(c->gz);
	c->body = NULL;
	c->gz = NULL;
}

static void conn_close(struct conn *c)
{
	struct io_uring_sqe *sqe;

	put_file(c);
	c->closing = true;
	sqe = get_sqe();
	io_uring_prep_close(sqe, c->sock);
	tag(sqe, c, STEP_CLOSE);
}

/* The connection is done with when nothing of it is in flight any more. */
static void conn_release(struct conn *c)
{
	if (c->closing && !c->inflight)
		free(c);
}

/* Send the response head and, unless HEAD or empty, @len bytes of @body. */
static void send_response(struct conn *c, int status, const char *reason,
			  const void *body, size_t len, bool gzip)
{
	struct io_uring_sqe *sqe;
	int n;

	n = snprintf(c->head, sizeof(c->head),
		     "HTTP/1.1 %d %s\r\n"
		     "Server: wd-httpd\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %zu\r\n"
		     "%s"
		     "Vary: Accept-Encoding\r\n"
		     "Connection: %s\r\n\r\n",
		     status, reason, status == 200 ? c->type :
		     "text/plain; charset=utf-8", len,
		     gzip ? "Content-Encoding: gzip\r\n" : "",
		     c->keep_alive ? "keep-alive" : "close");
	c->iov[0].iov_base = c->head;
	c->iov[0].iov_len = n;
	c->iov[1].iov_base = (void *)body;
	c->iov[1].iov_len = c->head_only ? 0 : len;
	memset(&c->msg, 0, sizeof(c->msg));
	c->msg.msg_iov = c->iov;
	c->msg.msg_iovlen = c->iov[1].iov_len ? 2 : 1;

	sqe = get_sqe();
	io_uring_prep_sendmsg(sqe, c->sock, &c->msg, MSG_NOSIGNAL);
	tag(sqe, c, STEP_SEND);
	log_msg("%d %s %s%s\n", status, c->method ? c->method : "-",
		c->target ? c->target : "-", gzip ? " (gzip)" : "");
	served++;
	served_gzip += gzip;
}

static void send_error(struct conn *c, int status, const char *reason)
{
	char text[64], *body;

	put_file(c);
	/* the reason is the body too */
	snprintf(text, sizeof(text), "%d %s\n", status, reason);
	body = strdup(text);
	if (!body) {
		conn_close(c);
		return;
	}
	/* a body we did not read, or a head we did not understand: the next
	 * request's start is unknown
	 */
	if (status == 400 || status == 405 || status == 505)
		c->keep_alive = false;
	send_response(c, status, reason, body, strlen(body), false);
	c->body = (uint8_t *)body;	/* freed after the send */
}

static const char *content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".css", "text/css" },
		{ ".js", "text/javascript" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
	};
	const char *dot = strrchr(path, '.');
	size_t i;

	for (i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

/* Does this Accept-Encoding value let us send gzip? */
static bool accepts_gzip(const char *v)
{
	while (*v) {
		size_t n = strcspn(v, ",");
		char tok[64], *t = tok, *q;

		snprintf(tok, sizeof(tok), "%.*s", (int)n, v);
		v += n + (v[n] == ',');
		q = strchr(tok, ';');
		if (q)
			*q++ = '\0';
		while (*t == ' ' || *t == '\t')
			t++;
		for (n = strlen(t); n && (t[n - 1] == ' ' || t[n - 1] == '\t');)
			t[--n] = '\0';
		if (strcasecmp(t, "gzip") && strcasecmp(t, "x-gzip") &&
		    strcmp(t, "*"))
			continue;
		while (q && (*q == ' ' || *q == '\t'))
			q++;
		if (q && !strncasecmp(q, "q=", 2) && strtod(q + 2, NULL) <= 0)
			continue;
		return true;
	}
	return false;
}

/*
 * Turn the URL path into a path under the root: decode nothing fancy,
 * refuse what could climb out ("..", NUL, backslash). The kernel enforces
 * the rest (RESOLVE_BENEATH on the open).
 */
static bool map_path(const char *target, char *out, size_t size)
{
	size_t n = strcspn(target, "?#");
	const char *p;

	if (target[0] != '/' || n >= size - 16 || memchr(target, '\\', n))
		return false;
	for (p = target; p < target + n; p++)
		if (p[0] == '.' && p[1] == '.' && (p == target || p[-1] == '/'))
			return false;
	if (n == 1 || target[n - 1] == '/')
		snprintf(out, size, "%.*sindex.html", (int)n - 1, target + 1);
	else
		snprintf(out, size, "%.*s", (int)n - 1, target + 1);
	return true;
}

/* A complete request head is in c->req: act on it. */
static void handle_request(struct conn *c)
{
	char *line_end, *method, *target, *version, *h, *save;
	struct io_uring_sqe *sqe;
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	static char path[1024];
	bool http10;

	c->head_only = false;
	c->gzip = false;
	c->keep_alive = true;
	c->method = NULL;
	c->target = NULL;

	c->req[c->head_len - 2] = '\0';	/* the head, as one string */
	line_end = strstr(c->req, "\r\n");
	if (line_end)
		*line_end = '\0';
	method = strtok_r(c->req, " ", &save);
	target = strtok_r(NULL, " ", &save);
	version = strtok_r(NULL, " ", &save);
	c->method = method;
	c->target = target;
	if (!method || !target || !version || strtok_r(NULL, " ", &save)) {
		send_error(c, 400, "Bad Request");
		return;
	}
	if (strncmp(version, "HTTP/1.", 7) || !isdigit(version[7]) ||
	    version[8]) {
		send_error(c, 505, "HTTP Version Not Supported");
		return;
	}
	http10 = version[7] == '0';
	c->keep_alive = !http10;

	for (h = line_end ? line_end + 2 : NULL; h && *h;) {
		char *next = strstr(h, "\r\n"), *colon, *v;

		if (next)
			*next = '\0';
		colon = strchr(h, ':');
		if (colon) {
			*colon = '\0';
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			if (!strcasecmp(h, "Accept-Encoding"))
				c->gzip = accepts_gzip(v);
			else if (!strcasecmp(h, "Connection"))
				c->keep_alive = strcasestr(v, "close") ? false :
					strcasestr(v, "keep-alive") ? true :
					c->keep_alive;
		}
		h = next ? next + 2 : NULL;
	}

	if (!strcmp(method, "HEAD")) {
		c->head_only = true;
	} else if (strcmp(method, "GET")) {
		send_error(c, 405, "Method Not Allowed");
		return;
	}
	if (!map_path(target, path, sizeof(path))) {
		send_error(c, 404, "Not Found");
		return;
	}
	c->type = content_type(path);
	/* path stays valid until the OPENAT2 is issued: it is, right here */
	sqe = get_sqe();
	io_uring_prep_openat2(sqe, root_fd, path, &how);
	tag(sqe, c, STEP_OPEN);
	io_uring_submit(&ring);
}

/* Has c->req a complete head? Sets c->head_len. */
static bool have_head(struct conn *c)
{
	char *end;

	c->req[c->req_len] = '\0';
	end = strstr(c->req, "\r\n\r\n");
	if (!end)
		return false;
	c->head_len = end - c->req + 4;
	return true;
}

/* Next request on the connection, maybe already received (pipelining). */
static void next_request(struct conn *c)
{
	memmove(c->req, c->req + c->head_len, c->req_len - c->head_len);
	c->req_len -= c->head_len;
	c->head_len = 0;
	if (have_head(c))
		handle_request(c);
	else
		arm_recv(c);
}

static void on_recv(struct conn *c, int res)
{
	if (res <= 0) {
		conn_close(c);	/* peer closed, or an error */
		return;
	}
	c->req_len += res;
	if (have_head(c)) {
		handle_request(c);
	} else if (c->req_len == REQ_MAX) {
		c->head_len = c->req_len;
		c->method = NULL;
		c->target = NULL;
		c->keep_alive = false;
		send_error(c, 400, "Bad Request");
	} else {
		arm_recv(c);
	}
}

static void on_open(struct conn *c, int res)
{
	struct io_uring_sqe *sqe;

	if (res < 0) {
		/* -EXDEV: the path leads out of the root; say not found */
		if (res == -ENOENT || res == -ENOTDIR || res == -EXDEV ||
		    res == -ELOOP || res == -EACCES)
			send_error(c, 404, "Not Found");
		else
			send_error(c, 500, "Internal Server Error");
		return;
	}
	c->file = res;
	sqe = get_sqe();
	io_uring_prep_statx(sqe, c->file, "", AT_EMPTY_PATH,
			    STATX_TYPE | STATX_SIZE, &c->stx);
	tag(sqe, c, STEP_STATX);
}

/* READ the file, and COMPRESS it in the same submission, linked. */
static void on_statx(struct conn *c, int res)
{
	struct io_uring_sqe *sqe;

	if (res < 0 || !S_ISREG(c->stx.stx_mode)) {
		send_error(c, 404, "Not Found");
		return;
	}
	if (c->stx.stx_size > cfg.max_file) {
		send_error(c, 413, "Content Too Large");
		return;
	}
	c->body_len = c->stx.stx_size;
	if (c->head_only) {
		/* the length GET would send, uncompressed */
		send_response(c, 200, "OK", NULL, c->body_len, false);
		return;
	}
	c->body = malloc(c->body_len + 1);
	c->gz = NULL;
	c->read_res = c->compress_res = 0;
	/* gzip of incompressible data: stored blocks, 5 bytes each 64 KiB */
	c->gz_cap = c->body_len + c->body_len / 64 + 1024;
	if (c->gzip && c->body_len && accel_fd >= 0)
		c->gz = malloc(c->gz_cap);
	if (!c->body || (c->gzip && c->body_len && accel_fd >= 0 && !c->gz)) {
		send_error(c, 500, "Internal Server Error");
		return;
	}
	sqe = get_sqe();
	io_uring_prep_read(sqe, c->file, c->body, c->body_len, 0);
	tag(sqe, c, STEP_READ);
	if (c->gz) {
		/* a short read fails the link: the COMPRESS gets -ECANCELED */
		sqe->flags |= IOSQE_IO_LINK;
		sqe = get_sqe();
		io_uring_prep_accel_compress(sqe, accel_fd, c->gz, c->gz_cap,
					     c->body, c->body_len,
					     WD_COMP_GZIP, cfg.level);
		/* issued after the READ: its slot may be reused */
		io_uring_accel_sqe_deferred(sqe);
		tag(sqe, c, STEP_COMPRESS);
	}
}

/* Both the READ and, if any, the COMPRESS are in: respond. */
static void respond(struct conn *c)
{
	if (c->read_res != (int)c->body_len) {
		send_error(c, 500, "Internal Server Error");
		return;
	}
	/* not smaller, or the device failed: send the file as it is */
	if (c->gz && c->compress_res > 0 &&
	    (uint32_t)c->compress_res < c->body_len) {
		send_response(c, 200, "OK", c->gz, c->compress_res, true);
		return;
	}
	if (c->gz && c->compress_res < 0)
		log_msg("compress: %s, sending it uncompressed\n",
			strerror(-c->compress_res));
	send_response(c, 200, "OK", c->body, c->body_len, false);
}

static void on_send(struct conn *c, int res)
{
	size_t want = c->iov[0].iov_len + c->iov[1].iov_len;
	struct io_uring_sqe *sqe;

	if (res < 0) {
		conn_close(c);
		return;
	}
	if ((size_t)res < want) {
		/* a short send: the rest of the head, then of the body */
		size_t skip = res;

		if (skip >= c->iov[0].iov_len) {
			skip -= c->iov[0].iov_len;
			c->iov[0] = c->iov[1];
			c->iov[1].iov_len = 0;
			c->iov[0].iov_base = (char *)c->iov[0].iov_base + skip;
			c->iov[0].iov_len -= skip;
		} else {
			c->iov[0].iov_base = (char *)c->iov[0].iov_base + skip;
			c->iov[0].iov_len -= skip;
		}
		c->msg.msg_iovlen = c->iov[1].iov_len ? 2 : 1;
		sqe = get_sqe();
		io_uring_prep_sendmsg(sqe, c->sock, &c->msg, MSG_NOSIGNAL);
		tag(sqe, c, STEP_SEND);
		return;
	}
	put_file(c);
	if (!c->keep_alive)
		conn_close(c);
	else
		next_request(c);
}

static void on_accept(int res, unsigned int flags)
{
	struct conn *c;

	if (!(flags & IORING_CQE_F_MORE) && !stopping)
		arm_accept();
	if (res < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(res);
		return;
	}
	c->sock = res;
	c->file = -1;
	arm_recv(c);
}

static void dispatch(struct io_uring_cqe *cqe)
{
	uint64_t data = io_uring_cqe_get_data64(cqe);
	uint64_t mask = (1ULL << STEP_BITS) - 1;
	struct conn *c = (struct conn *)(uintptr_t)(data & ~mask);
	enum step step = data & mask;
	int res = cqe->res;

	if (step == STEP_ACCEPT) {
		on_accept(res, cqe->flags);
		return;
	}
	c->inflight--;
	switch (step) {
	case STEP_RECV:
		on_recv(c, res);
		break;
	case STEP_OPEN:
		on_open(c, res);
		break;
	case STEP_STATX:
		on_statx(c, res);
		break;
	case STEP_READ:
		c->read_res = res;
		if (!c->gz)
			respond(c);
		break;
	case STEP_COMPRESS:
		/* linked after the READ: always the later of the two */
		c->compress_res = res;
		respond(c);
		break;
	case STEP_SEND:
		on_send(c, res);
		break;
	default:	/* the closes */
		break;
	}
	conn_release(c);
}

static int listen_on(int port)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 512)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wd-httpd [-p PORT] [-r ROOT] [-d DEVICE] [-l LEVEL] [-m BYTES] [-v]\n"
		"\n"
		"Serve the files under ROOT over HTTP/1.1 on one io_uring ring,\n"
		"gzip-compressing responses on the WarpDrive DEVICE, in the same ring,\n"
		"for clients that send Accept-Encoding: gzip.\n"
		"\n"
		"  -p, --port PORT      TCP port (default 8080)\n"
		"  -r, --root ROOT      document root (default .); / serves index.html\n"
		"  -d, --device NAME    WarpDrive device for COMPRESS (default soft0);\n"
		"                       without one, everything is sent uncompressed\n"
		"  -l, --level N        gzip level 0-9 (default 1)\n"
		"  -m, --max-file N     largest file served, bytes (default 16 MiB)\n"
		"  -v, --verbose        one line per response on stderr\n"
		"  -h, --help           this text\n"
		"\n"
		"SIGINT or SIGTERM stops it; it prints how many responses it sent.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "device", required_argument, NULL, 'd' },
		{ "level", required_argument, NULL, 'l' },
		{ "max-file", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "p:r:d:l:m:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			cfg.port = atoi(optarg);
			break;
		case 'r':
			cfg.root = optarg;
			break;
		case 'd':
			cfg.device = optarg;
			break;
		case 'l':
			cfg.level = atoi(optarg);
			break;
		case 'm':
			cfg.max_file = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || cfg.level > WD_COMP_LEVEL_MAX || cfg.port <= 0 ||
	    cfg.port > 65535) {
		usage(stderr);
		return 2;
	}
	root_fd = open(cfg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		fprintf(stderr, "wd-httpd: %s: %s\n", cfg.root, strerror(errno));
		return 1;
	}
	accel_fd = io_uring_accel_open(cfg.device, O_RDWR);
	if (accel_fd < 0)
		fprintf(stderr, "wd-httpd: %s: %s; serving uncompressed\n",
			cfg.device, strerror(-accel_fd));
	listen_fd = listen_on(cfg.port);
	if (listen_fd < 0) {
		fprintf(stderr, "wd-httpd: port %d: %s\n", cfg.port,
			strerror(-listen_fd));
		return 1;
	}
	ret = io_uring_queue_init(RING_ENTRIES, &ring, 0);
	if (ret) {
		fprintf(stderr, "wd-httpd: io_uring: %s\n", strerror(-ret));
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	arm_accept();
	fprintf(stderr, "wd-httpd: serving %s on port %d, gzip on %s\n",
		cfg.root, cfg.port, accel_fd >= 0 ? cfg.device : "nothing");

	while (!stopping) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;

		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			fprintf(stderr, "wd-httpd: io_uring: %s\n",
				strerror(-ret));
			break;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			dispatch(cqe);
			n++;
		}
		io_uring_cq_advance(&ring, n);
	}
	fprintf(stderr, "wd-httpd: %lu responses, %lu of them gzip\n", served,
		served_gzip);
	/* tears down whatever is still in flight, connections included */
	io_uring_queue_exit(&ring);
	return ret < 0 && ret != -EINTR && ret != -EAGAIN ? 1 : 0;
}
