{
  "targets": [
    {
      "target_name": "netns_read",
      "sources": ["native/netns_read.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
