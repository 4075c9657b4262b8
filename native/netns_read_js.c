/*
 * netns_read_js.c: the N-API side of the native reader (see netns_read.c for what it reads and
 * the shape of jobs and results): JS jobs in, one async work item per call, results out.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "napi_glue.h"
#include "netns_read.h"

static void execute(napi_env env, void *data) {
  (void)env;
  netns_read_jobs(data);
}

static void free_work(struct work *w) {
  if (w->out.p) munmap(w->out.p, w->out.cap);
  for (int i = 0; i < w->njobs; i++) {
    struct job *j = &w->jobs[i];
    free(j->path);
    for (int t = 0; t < j->ntargets; t++) free(j->targets[t]);
    free(j->targets); free(j->nsids); free(j->tinodes);
  }
  free(w->jobs); free(w);
}

static void unmap(napi_env env, void *p, void *cap) {
  (void)env;
  munmap(p, (size_t)cap);
}

/* The call's dumps as one ArrayBuffer: the mapping itself (unmapped when JS lets go of it), or a
   copy where external buffers are not allowed. */
static napi_value dumps_buffer(napi_env env, struct buf *b) {
  napi_value ab; void *p;
  if (b->p && napi_create_external_arraybuffer(env, b->p, b->len, unmap, (void *)b->cap, &ab) == napi_ok) {
    b->p = NULL;
    return ab;
  }
  napi_create_arraybuffer(env, b->len, &p, &ab);
  if (b->len) memcpy(p, b->p, b->len);
  return ab;
}

static void set_view(napi_env env, napi_value obj, const char *name, napi_value ab, size_t off, size_t len) {
  napi_value v;
  napi_create_typedarray(env, napi_uint8_array, len, ab, off, &v);
  napi_set_named_property(env, obj, name, v);
}

static void complete(napi_env env, napi_status status, void *data) {
  struct work *w = data;
  napi_value results;
  napi_create_array_with_length(env, w->njobs, &results);
  napi_value all = dumps_buffer(env, &w->out);
  for (int i = 0; i < w->njobs; i++) {
    struct job *j = &w->jobs[i];
    napi_value o, v, ab;
    napi_create_object(env, &o);
    napi_create_double(env, j->inode, &v); napi_set_named_property(env, o, "inode", v);
    if (j->error[0]) napi_create_string_utf8(env, j->error, NAPI_AUTO_LENGTH, &v);
    else napi_get_null(env, &v);
    napi_set_named_property(env, o, "error", v);
    set_view(env, o, "links", all, j->off[0], j->len[0]);
    set_view(env, o, "addrs", all, j->off[1], j->len[1]);
    set_view(env, o, "routes", all, j->off[2], j->len[2]);
    void *p;
    napi_create_arraybuffer(env, j->ntargets * 4, &p, &ab);
    if (j->ntargets) memcpy(p, j->nsids, j->ntargets * 4);
    napi_create_typedarray(env, napi_int32_array, j->ntargets, ab, 0, &v);
    napi_set_named_property(env, o, "nsids", v);
    napi_create_arraybuffer(env, j->ntargets * 8, &p, &ab);
    if (j->ntargets) memcpy(p, j->tinodes, j->ntargets * 8);
    napi_create_typedarray(env, napi_float64_array, j->ntargets, ab, 0, &v);
    napi_set_named_property(env, o, "targetInodes", v);
    napi_set_element(env, results, i, o);
  }
  glue_finish(env, status, w->error, results, w->cb, w->aw);
  free_work(w);
}

static napi_value js_read(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t n;
  if (!glue_jobs_args(env, info, argv, &n, "read(jobs, callback)")) return NULL;
  struct work *w = calloc(1, sizeof *w);
  w->jobs = calloc(n ? n : 1, sizeof *w->jobs);
  w->njobs = n;
  for (uint32_t i = 0; i < n; i++) {
    struct job *j = &w->jobs[i];
    napi_value o, v; uint32_t nt = 0; bool assign = false;
    napi_get_element(env, argv[0], i, &o);
    napi_get_named_property(env, o, "path", &v);
    j->path = glue_string(env, v);
    napi_get_named_property(env, o, "assign", &v);
    napi_get_value_bool(env, v, &assign);
    j->assign = assign;
    bool dumps = true; /* absent: dump */
    napi_get_named_property(env, o, "dump", &v);
    if (napi_get_value_bool(env, v, &dumps) != napi_ok) dumps = true;
    j->dump = dumps;
    napi_get_named_property(env, o, "targets", &v);
    napi_get_array_length(env, v, &nt);
    j->ntargets = nt;
    j->targets = calloc(nt ? nt : 1, sizeof(char *));
    j->nsids = calloc(nt ? nt : 1, sizeof(int32_t));
    j->tinodes = calloc(nt ? nt : 1, sizeof(double));
    for (uint32_t t = 0; t < nt; t++) {
      napi_value s;
      napi_get_element(env, v, t, &s);
      j->targets[t] = glue_string(env, s);
      if (!j->targets[t]) j->targets[t] = strdup("");
    }
    if (!j->path) j->path = strdup("");
  }
  glue_queue(env, argv[1], "netns_read", execute, complete, w, &w->cb, &w->aw);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  return glue_export(env, exports, "read", js_read);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
