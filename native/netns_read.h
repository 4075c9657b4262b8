/*
 * netns_read.h: what the kernel side (netns_read.c: entering namespaces, netlink dumps, nsids)
 * and the N-API side (netns_read_js.c: jobs in, results out) of the native reader share.
 */
#ifndef NETNS_READ_H
#define NETNS_READ_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Every dump of one call goes into one mapping, grown with mremap (no copying, no malloc arena
   to fault in again on every call) and handed to JS as it is: one external ArrayBuffer. */
struct buf { char *p; size_t len, cap; };
struct job {
  char *path; char **targets; int ntargets; int assign; int dump;
  double inode; char error[160];
  size_t off[3], len[3]; int32_t *nsids; double *tinodes;
};
struct work {
  napi_async_work aw; napi_ref cb; struct job *jobs; int njobs; char error[160]; struct buf out;
};

/* Runs every job of `w` on a thread of its own (which returns to its namespace); errors of the
   reader itself go to w->error, those of one namespace to its job. */
void netns_read_jobs(struct work *w);

#endif
