/*
 * napi_glue.h: the N-API steps both native parts (netns_read_js.c, netns_ask_js.c) take alike:
 * a JS string copied out, a call queued as async work with its callback, a function exported.
 */
#ifndef NAPI_GLUE_H
#define NAPI_GLUE_H
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of a JS string; "" for a value that is not one; NULL only out of memory. */
static inline char *glue_string(napi_env env, napi_value v) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return strdup("");
  char *s = malloc(n + 1);
  if (s) napi_get_value_string_utf8(env, v, s, n + 1, &n);
  return s;
}

/* A call's (jobs, callback) and the number of jobs; false, with a TypeError thrown, if not so. */
static inline bool glue_jobs_args(napi_env env, napi_callback_info info, napi_value argv[2], uint32_t *n,
                                  const char *usage) {
  size_t argc = 2;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  *n = 0;
  if (argc < 2 || napi_get_array_length(env, argv[0], n) != napi_ok) {
    napi_throw_type_error(env, NULL, usage);
    return false;
  }
  return true;
}

/* Runs `execute` off the JS thread, then `complete` on it; `cb` is kept alive until then. */
static inline void glue_queue(napi_env env, napi_value cb, const char *name, napi_async_execute_callback execute,
                              napi_async_complete_callback complete, void *data, napi_ref *ref,
                              napi_async_work *work) {
  napi_value resource;
  napi_create_reference(env, cb, 1, ref);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource);
  napi_create_async_work(env, NULL, resource, execute, complete, data, work);
  napi_queue_async_work(env, *work);
}

/* Calls back (error or null, results) and lets go of the callback and the work item. */
static inline void glue_finish(napi_env env, napi_status status, const char *error, napi_value results, napi_ref cb,
                               napi_async_work work) {
  napi_value fn, global, err;
  if (status != napi_ok || error[0])
    napi_create_string_utf8(env, error[0] ? error : "async work failed", NAPI_AUTO_LENGTH, &err);
  else napi_get_null(env, &err);
  napi_get_reference_value(env, cb, &fn);
  napi_get_global(env, &global);
  napi_value argv[2] = { err, results };
  napi_call_function(env, global, fn, 2, argv, NULL);
  napi_delete_reference(env, cb);
  napi_delete_async_work(env, work);
}

static inline napi_value glue_export(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
  return exports;
}

#endif
