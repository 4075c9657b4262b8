/*
 * netns_ask.h: what the kernel side (netns_ask.c: entering namespaces, netlink exchanges, /proc/sys
 * files) and the N-API side (netns_ask_js.c: jobs in, results out) of the trace's asker share.
 */
#ifndef NETNS_ASK_H
#define NETNS_ASK_H
#include <node_api.h>
#include <stddef.h>

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

/* Runs every job of `w` on a thread of its own (which returns to its namespace); errors of the
   asker itself go to w->error, those of one namespace to its job. */
void netns_ask_jobs(struct work *w);

#endif
