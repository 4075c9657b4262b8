{
  "targets": [
    {
      "target_name": "netns_read",
      "sources": ["native/netns_read.c", "native/netns_read_js.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    },
    {
      "target_name": "netns_ask",
      "sources": ["native/netns_ask.c", "native/netns_ask_js.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
