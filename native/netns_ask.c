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
 * This file is the kernel side; netns_ask_js.c turns JS jobs into `struct job`s and the results
 * back (netns_ask.h). JS: ask(jobs, done) where jobs = [{ path, requests: [{ protocol, message: Buffer }], files: string[] }],
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
#include "netns_ask.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

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
void netns_ask_jobs(struct work *w) {
  pthread_t t;
  /* A thread of our own: libuv's pool threads never change namespace. It exits afterwards. */
  if (pthread_create(&t, NULL, ask_thread, w) != 0) strcpy(w->error, "cannot start reader thread");
  else pthread_join(t, NULL);
}
