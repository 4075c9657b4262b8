#!/usr/bin/env bash
# Proves that the pure tests need nothing of root: runs `npm run test:unit` as user nobody, with a
# fresh HOME, in a network namespace of its own (only `lo`, up: some unit tests listen on
# 127.0.0.1) and on a read-only bind mount of this checkout, so no test can write into the
# checkout or read or change the host's network. The bind mount also lets nobody reach a clone
# that lies under a directory it may not enter (/root). Exits non-zero if the tests fail or
# cannot start. Run as root (it drops to nobody itself).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "test-unit-nonroot: run as root (it switches to nobody itself)" >&2
  exit 1
fi

scratch=$(mktemp -d /tmp/unit-as-nobody.XXXXXX)
mkdir "$scratch/home" "$scratch/checkout"
chmod 755 "$scratch"
chown nobody:nogroup "$scratch/home"
# The bind mount lives only in the child's mount namespace: here checkout/ is an empty directory.
trap 'rm -rf "$scratch/home"; rmdir "$scratch/checkout" "$scratch"' EXIT

as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env
  env "HOME=$scratch/home" PATH=/usr/local/bin:/usr/bin:/bin NPM_CONFIG_UPDATE_NOTIFIER=false CI=1)

start=$(date +%s)
unshare --mount --net sh -ec '
  checkout=$1 scratch=$2; shift 2
  mount --bind "$checkout" "$scratch/checkout"
  mount -o remount,bind,ro "$scratch/checkout"
  ip link set lo up
  cd "$scratch/checkout"
  exec "$@"
' unit-as-nobody "$PWD" "$scratch" "${as_nobody[@]}" npm run --silent test:unit
echo "test-unit-nonroot: passed as nobody on a read-only checkout in a new network namespace in $(($(date +%s) - start)) s"
