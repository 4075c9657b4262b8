/*
 * netns_ask: one generic question to namespaces, for the path trace (server/trace/native*.ts).
 * For each job a short-lived thread of its own opens the namespace file, setns(CLONE_NEWNET),
 * sends the given netlink requests (raw bytes built in TypeScript) on sockets of the given
 * protocols, collects the raw reply bytes, reads the given /proc/sys files (glob patterns: net
 * sysctls resolve by the netns of the thread that opens them), closes everything and goes back
 * to the namespace it started in. All parsing happens in TypeScript. Nothing stays open between
 * calls: an open socket or namespace fd would keep a deleted namespace alive.
 * Kept apart from netns_read.c (discovery's reader), with which it shares no code or state.
 *
 * JS: ask(jobs, done) where jobs = [{ path, requests: [{ protocol, message: Buffer }], files: string[] }],
 * done(error, results); results[i] = { inode, cookie, error, replies: [{ bytes, errno, message }],
 *   files: [{ path, value }] }.
 *   cookie: the namespace's netns cookie (SO_NETNS_COOKIE, never reused while the system runs), 0
 *   when unknown. A reply's bytes are every message answering it (its sequence number), the
 *   closing NLMSG_DONE/NLMSG_ERROR excluded; errno: 0, or the kernel's NLMSG_ERROR code
 *   (positive), or a local failure (socket, send, receive); message: its strerror text, else null.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define MAX_REQUESTS 64
#define MAX_FILES 64
#define MAX_SOCKETS 8
#define VALUE_MAX 256

struct buf { char *p; size_t len, cap; };
struct request { int protocol; char *msg; size_t len; struct buf reply; int err; };
struct file { char *path; char value[VALUE_MAX]; int ok; };
struct job {
  char *path; double inode, cookie; char error[160];
  struct request *reqs; int nreqs;
  char **patterns; int npatterns;
  struct file *files; int nfiles;
};
struct work { napi_async_work aw; napi_ref cb; struct job *jobs; int njobs; char error[160]; };

static int append(struct buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + n) cap *= 2;
    char *q = realloc(b->p, cap);
    if (!q) return -ENOMEM;
    b->p = q; b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

/* Sends one request and collects its answer: parts of a dump (NLM_F_MULTI) until NLMSG_DONE,
   else the one message or NLMSG_ERROR (an ACK is error 0). 0 or a positive errno. */
static int exchange(int sock, struct request *r, uint32_t seq, char *rx, size_t rxlen) {
  struct nlmsghdr *nh = (struct nlmsghdr *)r->msg;
  nh->nlmsg_seq = seq;
  nh->nlmsg_pid = 0;
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  if (sendto(sock, r->msg, r->len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) return errno;
  for (;;) {
    ssize_t n = recv(sock, rx, rxlen, 0);
    if (n < 0) { if (errno == EINTR) continue; return errno; }
    for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (h->nlmsg_flags & NLM_F_DUMP_INTR) return EINTR;
      if (append(&r->reply, h, NLMSG_ALIGN(h->nlmsg_len)) != 0) return ENOMEM;
      if (!(h->nlmsg_flags & NLM_F_MULTI)) return 0;
    }
  }
}

static int socket_for(int protocol, int socks[][2], int *nsocks, double *cookie) {
  for (int i = 0; i < *nsocks; i++) if (socks[i][0] == protocol) return socks[i][1];
  if (*nsocks == MAX_SOCKETS) return -EMFILE;
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (s < 0) return -errno;
  int rcv = 1 << 20;
  setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  /* A request the kernel never answers must not hold this thread (and a libuv worker) forever. */
  struct timeval tv = { .tv_sec = 5 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (*cookie == 0) {
    uint64_t c = 0; socklen_t cl = sizeof c;
    if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &c, &cl) == 0) *cookie = (double)c;
  }
  socks[*nsocks][0] = protocol; socks[*nsocks][1] = s; (*nsocks)++;
  return s;
}

static void read_files(struct job *j) {
  for (int p = 0; p < j->npatterns; p++) {
    glob_t g;
    if (glob(j->patterns[p], 0, NULL, &g) != 0) continue;
    for (size_t k = 0; k < g.gl_pathc && j->nfiles < MAX_FILES * 8; k++) {
      struct file *f = &j->files[j->nfiles++];
      f->path = strdup(g.gl_pathv[k]);
      int fd = open(g.gl_pathv[k], O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      ssize_t n = read(fd, f->value, VALUE_MAX - 1);
      close(fd);
      if (n >= 0) { f->value[n] = 0; f->ok = 1; }
    }
    globfree(&g);
  }
}

/* `cur`: the namespace this thread is in; entering it again is skipped (as netns_read.c). */
static void ask_one(struct job *j, char *rx, size_t rxlen, int *left, ino_t *cur) {
  int fd = open(j->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { snprintf(j->error, sizeof j->error, "open: %s", strerror(errno)); return; }
  struct stat st;
  int known = fstat(fd, &st) == 0;
  if (known) j->inode = (double)st.st_ino;
  int e = 0;
  if (!known || st.st_ino != *cur) {
    e = setns(fd, CLONE_NEWNET) < 0 ? errno : 0;
    if (!e) { *left = 1; *cur = known ? st.st_ino : 0; }
  }
  close(fd);
  if (e) { snprintf(j->error, sizeof j->error, "setns: %s", strerror(e)); return; }
  int socks[MAX_SOCKETS][2], nsocks = 0;
  for (int i = 0; i < j->nreqs; i++) {
    struct request *r = &j->reqs[i];
    int s = socket_for(r->protocol, socks, &nsocks, &j->cookie);
    if (s < 0) { r->err = -s; continue; }
    /* A dump the kernel marks interrupted (the table changed meanwhile) is asked again. */
    for (int attempt = 0; attempt < 3; attempt++) {
      r->reply.len = 0;
      r->err = exchange(s, r, 1000 + i * 4 + attempt, rx, rxlen);
      if (r->err != EINTR) break;
    }
  }
  for (int i = 0; i < nsocks; i++) close(socks[i][1]);
  read_files(j);
}

static void *ask_thread(void *arg) {
  struct work *w = arg;
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) { snprintf(w->error, sizeof w->error, "open own namespace: %s", strerror(errno)); return NULL; }
  size_t rxlen = 1 << 16;
  char *rx = malloc(rxlen);
  int left = 0;
  struct stat hst;
  ino_t cur = fstat(home, &hst) == 0 ? hst.st_ino : 0;
  for (int i = 0; rx && i < w->njobs; i++) ask_one(&w->jobs[i], rx, rxlen, &left, &cur);
  if (!rx) strcpy(w->error, "out of memory");
  free(rx);
  if (left && setns(home, CLONE_NEWNET) < 0)
    snprintf(w->error, sizeof w->error, "return to own namespace: %s", strerror(errno));
  close(home);
  return NULL;
}

static void execute(napi_env env, void *data) {
  (void)env;
  struct work *w = data;
  pthread_t t;
  /* A thread of our own: libuv's pool threads never change namespace. It exits afterwards. */
  if (pthread_create(&t, NULL, ask_thread, w) != 0) strcpy(w->error, "cannot start reader thread");
  else pthread_join(t, NULL);
}

static void free_work(struct work *w) {
  for (int i = 0; i < w->njobs; i++) {
    struct job *j = &w->jobs[i];
    free(j->path);
    for (int k = 0; k < j->nreqs; k++) { free(j->reqs[k].msg); free(j->reqs[k].reply.p); }
    for (int k = 0; k < j->npatterns; k++) free(j->patterns[k]);
    for (int k = 0; k < j->nfiles; k++) free(j->files[k].path);
    free(j->reqs); free(j->patterns); free(j->files);
  }
  free(w->jobs); free(w);
}

static napi_value js_string(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value js_number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

static napi_value job_result(napi_env env, struct job *j) {
  napi_value o, v, list;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "inode", js_number(env, j->inode));
  napi_set_named_property(env, o, "cookie", js_number(env, j->cookie));
  if (j->error[0]) v = js_string(env, j->error);
  else napi_get_null(env, &v);
  napi_set_named_property(env, o, "error", v);
  napi_create_array_with_length(env, j->nreqs, &list);
  for (int k = 0; k < j->nreqs; k++) {
    struct request *r = &j->reqs[k];
    napi_value ro; void *unused;
    napi_create_object(env, &ro);
    napi_create_buffer_copy(env, r->reply.len, r->reply.len ? r->reply.p : "", &unused, &v);
    napi_set_named_property(env, ro, "bytes", v);
    napi_set_named_property(env, ro, "errno", js_number(env, r->err));
    if (r->err) v = js_string(env, strerror(r->err));
    else napi_get_null(env, &v);
    napi_set_named_property(env, ro, "message", v);
    napi_set_element(env, list, k, ro);
  }
  napi_set_named_property(env, o, "replies", list);
  napi_create_array_with_length(env, j->nfiles, &list);
  for (int k = 0; k < j->nfiles; k++) {
    napi_value fo;
    napi_create_object(env, &fo);
    napi_set_named_property(env, fo, "path", js_string(env, j->files[k].path ? j->files[k].path : ""));
    if (j->files[k].ok) v = js_string(env, j->files[k].value);
    else napi_get_null(env, &v);
    napi_set_named_property(env, fo, "value", v);
    napi_set_element(env, list, k, fo);
  }
  napi_set_named_property(env, o, "files", list);
  return o;
}

static void complete(napi_env env, napi_status status, void *data) {
  struct work *w = data;
  napi_value results, cb, global, err;
  napi_create_array_with_length(env, w->njobs, &results);
  for (int i = 0; i < w->njobs; i++) napi_set_element(env, results, i, job_result(env, &w->jobs[i]));
  if (status != napi_ok || w->error[0]) err = js_string(env, w->error[0] ? w->error : "async work failed");
  else napi_get_null(env, &err);
  napi_get_reference_value(env, w->cb, &cb);
  napi_get_global(env, &global);
  napi_value argv[2] = { err, results };
  napi_call_function(env, global, cb, 2, argv, NULL);
  napi_delete_reference(env, w->cb);
  napi_delete_async_work(env, w->aw);
  free_work(w);
}

static char *get_string(napi_env env, napi_value v) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return strdup("");
  char *s = malloc(n + 1);
  if (s) napi_get_value_string_utf8(env, v, s, n + 1, &n);
  return s;
}

/* Reads one job from JS; a message shorter than a netlink header is refused. */
static const char *parse_job(napi_env env, napi_value o, struct job *j) {
  napi_value v, list;
  uint32_t n = 0;
  napi_get_named_property(env, o, "path", &v);
  j->path = get_string(env, v);
  napi_get_named_property(env, o, "requests", &list);
  if (napi_get_array_length(env, list, &n) != napi_ok || n > MAX_REQUESTS) return "requests: at most 64";
  j->reqs = calloc(n ? n : 1, sizeof *j->reqs);
  j->nreqs = n;
  for (uint32_t k = 0; k < n; k++) {
    napi_value r; void *data; size_t len; int32_t proto = -1;
    napi_get_element(env, list, k, &r);
    napi_get_named_property(env, r, "protocol", &v);
    napi_get_value_int32(env, v, &proto);
    j->reqs[k].protocol = proto;
    napi_get_named_property(env, r, "message", &v);
    if (napi_get_buffer_info(env, v, &data, &len) != napi_ok || len < NLMSG_HDRLEN || len > 65536)
      return "requests: message must be a Buffer holding one netlink message";
    j->reqs[k].msg = malloc(len);
    memcpy(j->reqs[k].msg, data, len);
    j->reqs[k].len = len;
    ((struct nlmsghdr *)j->reqs[k].msg)->nlmsg_len = (uint32_t)len;
  }
  napi_get_named_property(env, o, "files", &list);
  n = 0;
  if (napi_get_array_length(env, list, &n) != napi_ok || n > MAX_FILES) return "files: at most 64";
  j->patterns = calloc(n ? n : 1, sizeof(char *));
  j->npatterns = n;
  for (uint32_t k = 0; k < n; k++) {
    napi_get_element(env, list, k, &v);
    j->patterns[k] = get_string(env, v);
  }
  j->files = calloc(MAX_FILES * 8, sizeof *j->files);
  return NULL;
}

static napi_value js_ask(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t n = 0;
  if (argc < 2 || napi_get_array_length(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "ask(jobs, callback)");
    return NULL;
  }
  struct work *w = calloc(1, sizeof *w);
  w->jobs = calloc(n ? n : 1, sizeof *w->jobs);
  w->njobs = n;
  for (uint32_t i = 0; i < n; i++) {
    napi_value o;
    napi_get_element(env, argv[0], i, &o);
    const char *bad = parse_job(env, o, &w->jobs[i]);
    if (bad) {
      free_work(w);
      napi_throw_type_error(env, NULL, bad);
      return NULL;
    }
  }
  napi_value name;
  napi_create_reference(env, argv[1], 1, &w->cb);
  napi_create_string_utf8(env, "netns_ask", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, execute, complete, w, &w->aw);
  napi_queue_async_work(env, w->aw);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "ask", NAPI_AUTO_LENGTH, js_ask, NULL, &fn);
  napi_set_named_property(env, exports, "ask", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
