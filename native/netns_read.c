/*
 * netns_read: the only native part of netns-explorer. For each namespace file it is given, a
 * short-lived thread of its own opens the file, setns(CLONE_NEWNET), opens a NETLINK_ROUTE
 * socket, dumps links, addresses and routes as raw bytes, asks the nsid of a few other
 * namespaces (RTM_GETNSID with NETNSA_FD), closes everything and goes back to the namespace it
 * started in. Parsing happens in TypeScript (server/native/). Nothing stays open between reads:
 * an open socket or namespace fd would keep a deleted namespace alive.
 *
 * This file is the kernel side; netns_read_js.c turns JS jobs into `struct job`s and the results
 * back (netns_read.h). JS: read(jobs, done) where
 * jobs = [{ path, targets: string[], assign: boolean, dump?: boolean }], done(error, results); dump false: only the nsids of targets are asked (no link/address/route dump).
 * results[i] = { inode, error, links, addrs, routes, nsids: Int32Array, targetInodes: Float64Array }
 *   links, addrs, routes: Uint8Array views of one ArrayBuffer holding every dump of the call;
 *   nsids[j]: nsid of targets[j] as seen from jobs[i] (-1 none, -2 target could not be opened);
 *   targetInodes[j]: the inode of the namespace targets[j] opened (0 if it could not be).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "netns_read.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

static int append(struct buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1 << 20;
    while (cap < b->len + n) cap *= 2;
    char *q = b->p ? mremap(b->p, b->cap, cap, MREMAP_MAYMOVE)
                   : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) return -ENOMEM;
    b->p = q; b->cap = cap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

static int send_req(int sock, struct nlmsghdr *nh) {
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  return sendto(sock, nh, nh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0 ? -errno : 0;
}

/* Receives the answers to `seq` until DONE (dump) or one message; appends them to `out`. */
static int receive(int sock, uint32_t seq, struct buf *out, int32_t *nsid, char *rx, size_t rxlen) {
  for (;;) {
    ssize_t n = recv(sock, rx, rxlen, 0);
    if (n < 0) { if (errno == EINTR) continue; return -errno; }
    for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return 0;
      if (h->nlmsg_type == NLMSG_ERROR) {
        int e = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        return e;
      }
      if (h->nlmsg_flags & NLM_F_DUMP_INTR) return -EINTR;
      if (out && append(out, h, NLMSG_ALIGN(h->nlmsg_len)) != 0) return -ENOMEM;
      if (nsid) {
        struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) + NLMSG_ALIGN(sizeof(struct rtgenmsg)));
        int left = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg)));
        for (; RTA_OK(a, left); a = RTA_NEXT(a, left))
          if (a->rta_type == NETNSA_NSID) *nsid = *(int32_t *)RTA_DATA(a);
        return 0;
      }
    }
  }
}

static int dump(int sock, uint16_t type, size_t hdrlen, uint32_t seq, struct buf *out, char *rx, size_t rxlen) {
  for (int attempt = 0; attempt < 3; attempt++) {
    struct { struct nlmsghdr nh; char body[32]; } req;
    memset(&req, 0, sizeof req);
    req.nh.nlmsg_len = NLMSG_LENGTH(hdrlen);
    if (type == RTM_GETLINK) {
      /* No statistics: a third of a link dump's bytes (and the kernel's per-cpu sums), never read. */
      struct rtattr *a = (struct rtattr *)(req.body + NLMSG_ALIGN(hdrlen));
      a->rta_type = IFLA_EXT_MASK; a->rta_len = RTA_LENGTH(4);
      *(uint32_t *)RTA_DATA(a) = RTEXT_FILTER_SKIP_STATS;
      req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_LENGTH(4);
    }
    req.nh.nlmsg_type = type;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nh.nlmsg_seq = seq + attempt * 8;
    size_t start = out->len; /* an interrupted dump is dropped and taken again */
    int e = send_req(sock, &req.nh);
    if (e == 0) e = receive(sock, req.nh.nlmsg_seq, out, NULL, rx, rxlen);
    if (e != -EINTR) return e;
    out->len = start;
  }
  return -EINTR;
}

/* RTM_GETNSID (or RTM_NEWNSID with nsid -1: let the kernel assign one) for the namespace in fd. */
static int nsid_of(int sock, int fd, uint16_t type, uint32_t seq, int32_t *nsid, char *rx, size_t rxlen) {
  struct { struct nlmsghdr nh; struct rtgenmsg g; char pad[3]; struct rtattr a1; uint32_t fd;
           struct rtattr a2; int32_t id; } req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = sizeof req - (type == RTM_GETNSID ? sizeof(struct rtattr) + 4 : 0);
  req.nh.nlmsg_type = type;
  req.nh.nlmsg_flags = NLM_F_REQUEST | (type == RTM_NEWNSID ? NLM_F_ACK : 0);
  req.nh.nlmsg_seq = seq;
  req.g.rtgen_family = AF_UNSPEC;
  req.a1.rta_type = NETNSA_FD; req.a1.rta_len = RTA_LENGTH(4); req.fd = fd;
  req.a2.rta_type = NETNSA_NSID; req.a2.rta_len = RTA_LENGTH(4); req.id = -1;
  int e = send_req(sock, &req.nh);
  return e ? e : receive(sock, seq, NULL, type == RTM_GETNSID ? nsid : NULL, rx, rxlen);
}

static void fail(struct job *j, const char *step, int err) {
  snprintf(j->error, sizeof j->error, "%s: %s", step, strerror(err < 0 ? -err : err));
}

/* `cur`: the namespace this thread is in. Entering it again is skipped: without CAP_SYS_ADMIN
   setns fails even into one's own namespace, which a non-root server can still read. */
static void read_one(struct job *j, struct buf *out, char *rx, size_t rxlen, int *left, ino_t *cur) {
  int fd = open(j->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) { fail(j, "open", errno); return; }
  struct stat st;
  int known = fstat(fd, &st) == 0;
  if (known) j->inode = (double)st.st_ino;
  int e = 0;
  if (!known || st.st_ino != *cur) {
    e = setns(fd, CLONE_NEWNET) < 0 ? errno : 0;
    if (!e) { *left = 1; *cur = known ? st.st_ino : 0; }
  }
  close(fd);
  if (e) { fail(j, "setns", e); return; }
  int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0) { fail(j, "socket", errno); return; }
  int one = 1, rcv = 1 << 20;
  setsockopt(sock, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  static const struct { uint16_t type; size_t len; const char *what; } d[3] = {
    { RTM_GETLINK, sizeof(struct ifinfomsg), "link dump" },
    { RTM_GETADDR, sizeof(struct ifaddrmsg), "address dump" },
    { RTM_GETROUTE, sizeof(struct rtmsg), "route dump" },
  };
  for (int i = 0; j->dump && i < 3 && !j->error[0]; i++) {
    j->off[i] = out->len;
    e = dump(sock, d[i].type, d[i].len, 100 + i * 32, out, rx, rxlen);
    j->len[i] = out->len - j->off[i];
    if (e) fail(j, d[i].what, e);
  }
  for (int t = 0; t < j->ntargets && !j->error[0]; t++) {
    int tfd = open(j->targets[t], O_RDONLY | O_CLOEXEC);
    if (tfd < 0) { j->nsids[t] = -2; continue; }
    struct stat tst;
    if (fstat(tfd, &tst) == 0) j->tinodes[t] = (double)tst.st_ino;
    int32_t id = -1;
    e = nsid_of(sock, tfd, RTM_GETNSID, 1000 + t * 2, &id, rx, rxlen);
    if (e == 0 && id < 0 && j->assign) {
      nsid_of(sock, tfd, RTM_NEWNSID, 1001 + t * 2, NULL, rx, rxlen);
      e = nsid_of(sock, tfd, RTM_GETNSID, 1001 + t * 2, &id, rx, rxlen);
    }
    close(tfd);
    j->nsids[t] = e == 0 ? id : -2;
  }
  close(sock);
}

static void *reader_thread(void *arg) {
  struct work *w = arg;
  /* This thread's own namespace, to return to: setns changes the calling thread only. */
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) { snprintf(w->error, sizeof w->error, "open own namespace: %s", strerror(errno)); return NULL; }
  size_t rxlen = 1 << 16;
  char *rx = malloc(rxlen);
  int left = 0;
  struct stat hst;
  ino_t cur = fstat(home, &hst) == 0 ? hst.st_ino : 0;
  for (int i = 0; rx && i < w->njobs; i++) read_one(&w->jobs[i], &w->out, rx, rxlen, &left, &cur);
  free(rx);
  /* Only if it left: without CAP_SYS_ADMIN every setns fails, going home included, and the
     per-namespace errors (setns: EPERM) are the whole answer. */
  if (left && setns(home, CLONE_NEWNET) < 0)
    snprintf(w->error, sizeof w->error, "return to own namespace: %s", strerror(errno));
  close(home);
  return NULL;
}

void netns_read_jobs(struct work *w) {
  pthread_t t;
  /* A thread of our own: libuv's pool threads never change namespace. It exits afterwards. */
  if (pthread_create(&t, NULL, reader_thread, w) != 0) strcpy(w->error, "cannot start reader thread");
  else pthread_join(t, NULL);
}
