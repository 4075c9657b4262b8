/*
 * The bare floor of a full read: one process enters each namespace file given on stdin (one
 * path a line), dumps links, addresses, routes (every family, every table) and nsids over
 * NETLINK_ROUTE, counts the bytes and parses nothing. Prints "NAMESPACES BYTES".
 * Built and run by the bench (bench/hub.ts): cc -O2 -o floor floor.c
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char rx[1 << 16];

static long dump(int sock, int type, size_t hdrlen, unsigned seq) {
  struct { struct nlmsghdr nh; char body[16]; } req;
  memset(&req, 0, sizeof req);
  req.nh.nlmsg_len = NLMSG_LENGTH(hdrlen);
  req.nh.nlmsg_type = type;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nh.nlmsg_seq = seq;
  if (send(sock, &req, req.nh.nlmsg_len, 0) < 0) return -1;
  long total = 0;
  for (;;) {
    ssize_t n = recv(sock, rx, sizeof rx, 0);
    if (n <= 0) return -1;
    total += n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)rx; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return total;
  }
}

int main(void) {
  char path[4096];
  long namespaces = 0, bytes = 0;
  int home = open("/proc/self/ns/net", O_RDONLY);
  while (fgets(path, sizeof path, stdin)) {
    path[strcspn(path, "\n")] = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    int entered = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    if (!entered) continue;
    int sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (sock < 0) continue;
    bytes += dump(sock, RTM_GETLINK, sizeof(struct ifinfomsg), 1);
    bytes += dump(sock, RTM_GETADDR, sizeof(struct ifaddrmsg), 2);
    bytes += dump(sock, RTM_GETROUTE, sizeof(struct rtmsg), 3);
    bytes += dump(sock, RTM_GETNSID, sizeof(struct rtgenmsg), 4);
    close(sock);
    namespaces++;
  }
  setns(home, CLONE_NEWNET);
  printf("%ld %ld\n", namespaces, bytes);
  return 0;
}
