/*
 * netns_ask_js.c: the N-API side of the trace's asker (see netns_ask.c for what it asks and the
 * shape of jobs and results): JS jobs in, one async work item per call, results out.
 */
#define _GNU_SOURCE
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "napi_glue.h"
#include "netns_ask.h"

static void execute(napi_env env, void *data) {
  (void)env;
  netns_ask_jobs(data);
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
  napi_value results;
  napi_create_array_with_length(env, w->njobs, &results);
  for (int i = 0; i < w->njobs; i++) napi_set_element(env, results, i, job_result(env, &w->jobs[i]));
  glue_finish(env, status, w->error, results, w->cb, w->aw);
  free_work(w);
}

/* Reads one job from JS; a message shorter than a netlink header is refused. */
static const char *parse_job(napi_env env, napi_value o, struct job *j) {
  napi_value v, list;
  uint32_t n = 0;
  napi_get_named_property(env, o, "path", &v);
  j->path = glue_string(env, v);
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
    j->patterns[k] = glue_string(env, v);
  }
  j->files = calloc(MAX_FILES * 8, sizeof *j->files);
  return NULL;
}

static napi_value js_ask(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  uint32_t n;
  if (!glue_jobs_args(env, info, argv, &n, "ask(jobs, callback)")) return NULL;
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
  glue_queue(env, argv[1], "netns_ask", execute, complete, w, &w->cb, &w->aw);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  return glue_export(env, exports, "ask", js_ask);
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
