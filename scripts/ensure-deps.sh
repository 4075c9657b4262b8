#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine (as root): Debian's Chromium for the
# browser tests, docker.io and busybox-static for the container tests, nftables and iptables (its
# legacy and nft tools) for the firewall view and the trace, tcpdump for packet capture, podman and
# lxc for the runtime-naming tests, a compiler for the native reader, and the npm packages. Does
# nothing for what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/dockerd ] || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
[ -x /usr/bin/nsenter ] || need+=(util-linux)
[ -x /usr/sbin/ip ] || need+=(iproute2)
[ -x /usr/sbin/nft ] || need+=(nftables)
[ -x /usr/sbin/iptables-legacy ] || need+=(iptables)
# Runtime naming tests (server/discovery/runtimes): containerd, ctr and runc come with docker.io.
[ -x /usr/bin/podman ] || need+=(podman)
[ -x /usr/bin/lxc-start ] || need+=(lxc)
# Packet capture (server/capture) runs tcpdump.
command -v tcpdump >/dev/null || need+=(tcpdump)
# npm ci builds the native reader (native/) with node-gyp: a C compiler, make and python3.
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "ensure-deps: missing ${need[*]} and no apt-get to install them" >&2
    exit 1
  fi
  echo "ensure-deps: apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: npm ci"
  npm ci --no-audit --no-fund
fi
