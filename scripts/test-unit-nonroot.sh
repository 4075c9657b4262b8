#!/usr/bin/env bash
# Proves that the pure tests need nothing of root: runs `npm run test:unit` as user nobody, with a
# fresh HOME in a temp directory, no write access to this checkout, and (where unshare works) in a
# network namespace of its own, so no test can read or change the host's network. Exits non-zero
# if the unit tests fail or cannot start. Run as root (it drops to nobody itself).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "test-unit-nonroot: run as root (it switches to nobody itself)" >&2
  exit 1
fi

home=$(mktemp -d /tmp/nx-unit-home.XXXXXX)
trap 'rm -rf "$home"' EXIT
chown nobody:nogroup "$home"

as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env
  env "HOME=$home" PATH=/usr/local/bin:/usr/bin:/bin NPM_CONFIG_UPDATE_NOTIFIER=false CI=1)

if ! "${as_nobody[@]}" test -r package.json -a -x node_modules/.bin; then
  echo "test-unit-nonroot: user nobody cannot read $(pwd) (clone into a directory others may read)" >&2
  exit 1
fi
if "${as_nobody[@]}" test -w .; then
  echo "test-unit-nonroot: note: the checkout is writable by nobody, so write access is not being tested" >&2
fi

# A new, empty network namespace with only `lo` up (some unit tests listen on 127.0.0.1): the unit
# tests must not need the host's interfaces, namespaces or network.
isolate=()
if unshare --net true 2>/dev/null; then
  isolate=(unshare --net sh -c 'ip link set lo up && exec "$@"' lo-up)
fi

start=$(date +%s)
"${isolate[@]}" "${as_nobody[@]}" npm run --silent test:unit
echo "test-unit-nonroot: passed as nobody${isolate:+ in a new network namespace} in $(($(date +%s) - start)) s"
