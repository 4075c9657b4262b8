#!/usr/bin/env bash
# Prints what tests or the demo lab left behind (names starting with `nx`: test prefixes and the lab's
# `nxlab-*`) and exits 1 if anything is left: named namespaces, host links, lab/test processes and the
# lab's state directory. Read-only: it never removes anything (scripts/test-all.sh runs `lab down` first).
set -uo pipefail

left=0
report() {
  if [ -n "$2" ]; then
    echo "check-clean: leftover $1:"
    printf '%s\n' "$2" | sed 's/^/    /'
    left=1
  fi
}

report "named namespaces (ip netns list)" "$(ip netns list 2>/dev/null | grep -E '^nx' || true)"
report "host links (ip -br link)" "$(ip -br link 2>/dev/null | grep -E '^nx' || true)"
# Lab holders (comm is the role) and test processes whose command line names an nx-prefixed path.
report "processes" "$(ps -eo pid=,stat=,comm=,args= 2>/dev/null |
  awk '$2 !~ /^Z/' |
  grep -E ' (netshoot-a|netshoot-b|netshoot-host|nginx) .*/run/netns-explorer/|/tmp/nx[a-z0-9]+' |
  grep -v -E 'grep|check-clean' || true)"
if [ -e /run/netns-explorer/lab.json ]; then report "lab state" "/run/netns-explorer/lab.json"; fi
if command -v docker >/dev/null && [ -S /var/run/docker.sock ]; then
  report "docker objects of the lab" "$(docker ps -aq --filter label=netns-explorer.lab=1 2>/dev/null;
    docker network ls -q --filter label=netns-explorer.lab=1 2>/dev/null)"
fi

if [ "$left" = 0 ]; then echo "check-clean: nothing left behind"; fi
exit "$left"
