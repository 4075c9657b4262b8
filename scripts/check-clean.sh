#!/usr/bin/env bash
# Prints what tests or the demo lab left behind (names starting with `nx`: test prefixes and the lab's
# `nxlab-*`) and exits 1 if anything is left: named namespaces, host links, lab/test processes and the
# lab's state directory. Read-only: it never removes anything (scripts/test-all.sh runs `lab down` first).
#
# `check-clean.sh --record FILE` (before a run) notes podman's default storage directories, the
# `podman events` processes, the /tmp/nx* files and folders and the host's nftables ruleset that
# exist; `check-clean.sh --since FILE` (after it) also reports those that the run added (a table,
# chain or rule in the host namespace, which tests must never touch): podman run with default options creates
# /var/lib/containers, /run/containers and /run/libpod (and mounts under them) on a host that had
# none, an explorer's events child may outlive its server, and a test's temporary folder may be
# left in /tmp.
set -uo pipefail

PODMAN_DIRS="/var/lib/containers /run/containers /run/libpod"
recorded_state() {
  for d in $PODMAN_DIRS; do [ -e "$d" ] && echo "dir $d"; done
  for f in /tmp/nx*; do [ -e "$f" ] && echo "tmp $f"; done
  # One line per table, chain and rule, each named by its table (and chain): what a run added shows.
  if command -v nft >/dev/null; then
    nft list ruleset 2>/dev/null | awk '
      $1 == "table" { t = $2 " " $3; print "nft table " t; next }
      $1 == "chain" { c = $2; print "nft chain " t " " c; next }
      $1 == "}" || NF == 0 { next }
      { $1 = $1; print "nft rule " t " " c ": " $0 }'
  fi
  awk -v dirs="$PODMAN_DIRS" 'BEGIN { n = split(dirs, d, " ") }
    { for (i = 1; i <= n; i++) if (index($5, d[i]) == 1) print "mount " $5 }' /proc/self/mountinfo
  pgrep -f '^(/usr/bin/)?podman( .*)? events' 2>/dev/null | sed 's/^/events /'
}

if [ "${1:-}" = "--record" ]; then
  recorded_state | sort >"${2:?--record FILE}"
  exit 0
fi
since=""
if [ "${1:-}" = "--since" ]; then since="${2:?--since FILE}"; fi

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
if [ -n "$since" ] && [ -r "$since" ]; then
  added="$(recorded_state | sort | comm -13 "$since" - | while read -r kind what; do
    case "$kind" in
      events) echo "podman events process: $(ps -o pid=,args= -p "$what" 2>/dev/null)" ;;
      tmp) echo "temporary file or folder: $what" ;;
      nft) echo "nftables in the host namespace: $what" ;;
      *) echo "podman default storage $kind: $what" ;;
    esac
  done)"
  report "state the run created (not there before it)" "$added"
fi

if [ "$left" = 0 ]; then echo "check-clean: nothing left behind"; fi
exit "$left"
