// SPDX-License-Identifier: GPL-2.0
/*
 * The wd-httpd example end to end, over loopback in the VM: a client
 * fetches files with and without Accept-Encoding: gzip and checks the
 * status, the headers and the bytes (gunzipped by zlib where the server
 * compressed them on soft0), then many clients at once on keep-alive
 * connections. The server's count of responses must match what the
 * clients received, and soft0 must have run a COMPRESS for every gzip
 * response.
 *
 * Needs the tool: WD_BIN_DIR names the directory holding wd-httpd.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>
#include "wd_ref.h"
#include "wd_uring.h"

#define PORT		8080
#define ROOT		"/tmp/wd-www"
#define LOG		"/tmp/wd-httpd.log"
#define THREADS		48
#define PER_THREAD	6

struct file {
	const char *name;	/* under ROOT */
	size_t len;
	int kind;		/* 0 text, 1 random, 2 empty */
	uint8_t *data;
};

static struct file files[] = {
	{ .name = "index.html", .len = 20000 },
	{ .name = "big.txt", .len = 1 << 20 },
	{ .name = "random.bin", .len = 65536, .kind = 1 },
	{ .name = "empty.txt", .kind = 2 },
	{ .name = "sub/page.txt", .len = 3000 },
};
#define NR_FILES	(sizeof(files) / sizeof(files[0]))

struct response {
	int status;
	long content_length;
	char encoding[32], connection[32], type[64];
	int vary;
	uint8_t *body;		/* malloc'd */
	size_t body_len;
};

static long responses_seen;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static void write_file(const char *rel, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), ROOT "/%s", rel);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len)
		wd_skip_all("cannot write the document root");
	fclose(f);
}

static void make_root(void)
{
	static const char *const words[] = {
		"offload ", "ring ", "doorbell ", "engine ", "completion ",
		"queue ", "<p>", "</p>\n", "warpdrive ", "the ",
	};
	size_t i, j;

	mkdir(ROOT, 0755);
	mkdir(ROOT "/sub", 0755);
	for (i = 0; i < NR_FILES; i++) {
		struct file *f = &files[i];
		uint64_t rng = i + 1;

		f->data = malloc(f->len + 16);
		if (f->kind == 1) {
			ref_random_fill(f->data, f->len, 99);
		} else {
			for (j = 0; j < f->len;) {
				const char *w;

				rng = rng * 6364136223846793005ULL + 1;
				w = words[(rng >> 33) % 10];
				while (*w && j < f->len)
					f->data[j++] = *w++;
			}
		}
		write_file(f->name, f->data, f->len);
	}
	/* a secret outside the root, and two links that lead to it */
	unlink("/tmp/wd-secret.txt");
	{
		FILE *s = fopen("/tmp/wd-secret.txt", "w");

		if (s) {
			fputs("secret\n", s);
			fclose(s);
		}
	}
	unlink(ROOT "/abs-link.txt");
	unlink(ROOT "/rel-link.txt");
	if (symlink("/tmp/wd-secret.txt", ROOT "/abs-link.txt") ||
	    symlink("../wd-secret.txt", ROOT "/rel-link.txt"))
		wd_skip_all("cannot make symlinks");
}

/* Loopback is down in a fresh VM. */
static void loopback_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		wd_skip_all("no loopback interface");
	ifr.ifr_flags |= IFF_UP;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
}

static int connect_server(void)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons(PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static pid_t start_server(const char *bin)
{
	pid_t pid = fork();
	int i, fd;

	if (pid == 0) {
		fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execl(bin, bin, "-p", "8080", "-r", ROOT, "-d", "soft0", NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		fd = connect_server();
		if (fd >= 0) {
			close(fd);
			return pid;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static void header_value(const char *head, const char *name, char *out,
			 size_t size)
{
	char key[64];
	const char *p;
	size_t n;

	out[0] = '\0';
	snprintf(key, sizeof(key), "\r\n%s:", name);
	p = strcasestr(head, key);
	if (!p)
		return;
	p += strlen(key);
	while (*p == ' ')
		p++;
	n = strcspn(p, "\r");
	snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

/*
 * Read one response from @fd (@head_only: a HEAD's, without body).
 * @buf carries bytes read past the previous response. Returns 0 or -1.
 */
static int read_response(int fd, int head_only, struct response *r,
			 char *buf, size_t *have)
{
	char val[64], *end;
	size_t head_len;

	memset(r, 0, sizeof(*r));
	for (;;) {
		ssize_t n;

		buf[*have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
		if (*have >= 8191)
			return -1;
		n = read(fd, buf + *have, 8191 - *have);
		if (n <= 0)
			return -1;
		*have += n;
	}
	head_len = end - buf + 4;
	end[2] = '\0';
	if (sscanf(buf, "HTTP/1.1 %d", &r->status) != 1)
		return -1;
	header_value(buf, "Content-Length", val, sizeof(val));
	r->content_length = val[0] ? atol(val) : -1;
	header_value(buf, "Content-Encoding", r->encoding, sizeof(r->encoding));
	header_value(buf, "Connection", r->connection, sizeof(r->connection));
	header_value(buf, "Content-Type", r->type, sizeof(r->type));
	header_value(buf, "Vary", val, sizeof(val));
	r->vary = !strcasecmp(val, "Accept-Encoding");
	if (r->content_length < 0)
		return -1;

	r->body_len = head_only ? 0 : r->content_length;
	r->body = malloc(r->body_len + 1);
	r->body[r->body_len] = '\0';
	memmove(buf, buf + head_len, *have - head_len);
	*have -= head_len;
	{
		size_t got = *have < r->body_len ? *have : r->body_len;

		memcpy(r->body, buf, got);
		memmove(buf, buf + got, *have - got);
		*have -= got;
		while (got < r->body_len) {
			ssize_t n = read(fd, r->body + got, r->body_len - got);

			if (n <= 0)
				return -1;
			got += n;
		}
	}
	pthread_mutex_lock(&count_lock);
	responses_seen++;
	pthread_mutex_unlock(&count_lock);
	return 0;
}

/* One request on a fresh connection. */
static int fetch(const char *request, int head_only, struct response *r)
{
	char buf[8192];
	size_t have = 0;
	int fd = connect_server(), ret;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return -1;
	ret = write_all(fd, request, strlen(request)) ||
	      read_response(fd, head_only, r, buf, &have);
	close(fd);
	return ret ? -1 : 0;
}

/* The body as the file's bytes: gunzipped if it says gzip. */
static int body_is(const struct response *r, const struct file *f)
{
	uint8_t *out;
	uLongf n = f->len + 1;
	z_stream z = { 0 };
	int ok;

	if (strcasecmp(r->encoding, "gzip"))
		return r->body_len == f->len &&
		       !memcmp(r->body, f->data, f->len);
	out = malloc(f->len + 1);
	if (inflateInit2(&z, 31) != Z_OK)
		return 0;
	z.next_in = r->body;
	z.avail_in = r->body_len;
	z.next_out = out;
	z.avail_out = n;
	ok = inflate(&z, Z_FINISH) == Z_STREAM_END && z.avail_in == 0 &&
	     z.total_out == f->len && !memcmp(out, f->data, f->len);
	inflateEnd(&z);
	free(out);
	return ok;
}

static void test_get(const struct file *f, const char *accept, int gzip)
{
	char req[512];
	struct response r;
	int ret;

	snprintf(req, sizeof(req),
		 "GET /%s HTTP/1.1\r\nHost: localhost\r\n%s%s%s\r\n", f->name,
		 accept ? "Accept-Encoding: " : "", accept ? accept : "",
		 accept ? "\r\n" : "");
	ret = fetch(req, 0, &r);
	wd_ok(!ret && r.status == 200 && r.vary &&
	      r.content_length == (long)r.body_len &&
	      !!gzip == !strcasecmp(r.encoding, "gzip") && body_is(&r, f),
	      "GET /%s, Accept-Encoding %s: 200, %s, %zu bytes on the wire for %zu",
	      f->name, accept ? accept : "(none)",
	      r.encoding[0] ? r.encoding : "identity", r.body_len, f->len);
	free(r.body);
}

static void test_status(const char *request, int want, const char *what)
{
	struct response r;
	int ret = fetch(request, 0, &r);

	wd_ok(!ret && r.status == want && r.body &&
	      !strstr((char *)r.body, "secret"),
	      "%s: %d", what, ret ? -1 : r.status);
	free(r.body);
}

static void test_head_and_index(void)
{
	struct response r;
	int ret;

	ret = fetch("HEAD /big.txt HTTP/1.1\r\nHost: x\r\n\r\n", 1, &r);
	wd_ok(!ret && r.status == 200 && r.content_length == (long)files[1].len,
	      "HEAD /big.txt: 200, Content-Length %ld, no body", r.content_length);
	free(r.body);
	ret = fetch("GET / HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n",
		    0, &r);
	wd_ok(!ret && r.status == 200 && body_is(&r, &files[0]) &&
	      !strncmp(r.type, "text/html", 9),
	      "GET / serves index.html as %s", r.type);
	free(r.body);
}

/* Three requests written at once on one connection, answered in order. */
static void test_pipelined(void)
{
	const char *req =
		"GET /sub/page.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
		"GET /empty.txt HTTP/1.1\r\nHost: x\r\n\r\n"
		"GET /random.bin HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
		"Connection: close\r\n\r\n";
	struct response r[3] = { 0 };
	char buf[8192], extra;
	size_t have = 0;
	int fd = connect_server(), ok, i;

	ok = fd >= 0 && !write_all(fd, req, strlen(req));
	for (i = 0; i < 3; i++)
		ok = ok && !read_response(fd, 0, &r[i], buf, &have);
	ok = ok && body_is(&r[0], &files[4]) && body_is(&r[1], &files[3]) &&
	     body_is(&r[2], &files[2]) && !strcasecmp(r[0].encoding, "gzip") &&
	     !strcasecmp(r[2].connection, "close") &&
	     read(fd, &extra, 1) == 0;	/* and the server closed it */
	wd_ok(ok, "3 pipelined requests on one connection, in order, then closed");
	if (fd >= 0)
		close(fd);
	for (i = 0; i < 3; i++)
		free(r[i].body);
}

struct client {
	int id, ok, bad, gzip;
};

/* Keep-alive connections fetching random files with random encodings. */
static void *client(void *arg)
{
	struct client *c = arg;
	uint64_t rng = c->id * 7919 + 1;
	char buf[8192];
	size_t have = 0;
	int i, fd = -1;

	for (i = 0; i < PER_THREAD; i++) {
		const struct file *f;
		struct response r;
		char req[256];
		int gz;

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		f = &files[(rng >> 33) % NR_FILES];
		gz = (rng >> 40) & 1;
		if (fd < 0 || i == PER_THREAD / 2) {
			if (fd >= 0)
				close(fd);
			fd = connect_server();
			have = 0;
		}
		snprintf(req, sizeof(req), "GET /%s HTTP/1.1\r\nHost: x\r\n%s\r\n",
			 f->name, gz ? "Accept-Encoding: gzip, deflate\r\n" : "");
		if (fd < 0 || write_all(fd, req, strlen(req)) ||
		    read_response(fd, 0, &r, buf, &have)) {
			c->bad++;
			close(fd);
			fd = -1;
			continue;
		}
		if (r.status == 200 && body_is(&r, f) &&
		    (!strcasecmp(r.encoding, "gzip") ? gz : 1))
			c->ok++;
		else
			c->bad++;
		c->gzip += !strcasecmp(r.encoding, "gzip");
		free(r.body);
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int test_concurrent(void)
{
	static struct client cl[THREADS];
	pthread_t t[THREADS];
	int i, ok = 0, bad = 0, gzip = 0;

	for (i = 0; i < THREADS; i++) {
		cl[i].id = i;
		pthread_create(&t[i], NULL, client, &cl[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += cl[i].ok;
		bad += cl[i].bad;
		gzip += cl[i].gzip;
	}
	wd_ok(ok == THREADS * PER_THREAD && !bad,
	      "%d concurrent keep-alive clients: %d responses verified (%d gzip), %d bad",
	      THREADS, ok, gzip, bad);
	return gzip;
}

/* The server's own count, from the last line of its log. */
static long server_count(long *gzip)
{
	char line[256], last[256] = "";
	long n = -1;
	FILE *f = fopen(LOG, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		snprintf(last, sizeof(last), "%s", line);
	fclose(f);
	if (sscanf(last, "wd-httpd: %ld responses, %ld of them gzip", &n,
		   gzip) != 2)
		return -1;
	return n;
}

int main(void)
{
	const char *dir = getenv("WD_BIN_DIR");
	long long sub0 = wd_sysfs_read("soft0", "submitted");
	long served, served_gz = 0;
	char bin[512];
	int status = 0;
	pid_t pid;
	size_t i;

	if (!dir)
		wd_skip_all("WD_BIN_DIR not set");
	snprintf(bin, sizeof(bin), "%s/wd-httpd", dir);
	if (access(bin, X_OK))
		wd_skip_all("wd-httpd not built");
	if (sub0 < 0)
		wd_skip_all("no soft0");
	loopback_up();
	make_root();
	pid = start_server(bin);
	if (pid < 0)
		wd_skip_all("wd-httpd did not start");

	wd_plan(2 * NR_FILES + 17);
	for (i = 0; i < NR_FILES; i++) {
		/* empty and random files do not get smaller: sent as they are */
		test_get(&files[i], "gzip", files[i].kind == 0);
		test_get(&files[i], NULL, 0);
	}
	test_get(&files[0], "gzip;q=0, identity", 0);
	test_get(&files[0], "deflate, br", 0);
	test_get(&files[0], "br;q=1.0, GZip;q=0.5", 1);
	test_head_and_index();
	test_status("GET /nosuch.txt HTTP/1.1\r\n\r\n", 404, "a missing file");
	test_status("GET /../wd-secret.txt HTTP/1.1\r\n\r\n", 404,
		    "a path climbing out of the root");
	test_status("GET /abs-link.txt HTTP/1.1\r\n\r\n", 404,
		    "a symlink to an absolute path outside the root");
	test_status("GET /rel-link.txt HTTP/1.1\r\n\r\n", 404,
		    "a relative symlink out of the root");
	test_status("GET /sub HTTP/1.1\r\n\r\n", 404, "a directory");
	test_status("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405,
		    "POST");
	test_status("GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0");
	test_status("GARBAGE\r\n\r\n", 400, "a malformed request line");
	test_pipelined();
	test_concurrent();

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	served = server_count(&served_gz);
	wd_ok(WIFEXITED(status) && !WEXITSTATUS(status) &&
	      served == responses_seen,
	      "server stopped cleanly: it sent %ld responses, the clients got %ld",
	      served, responses_seen);
	wd_ok(served_gz > 0 &&
	      wd_sysfs_read("soft0", "submitted") - sub0 >= served_gz,
	      "soft0 ran a COMPRESS for each of the %ld gzip responses (%lld requests)",
	      served_gz, wd_sysfs_read("soft0", "submitted") - sub0);
	return wd_exit();
}
