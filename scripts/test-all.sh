#!/usr/bin/env bash
# `npm test`: build, unit + kernel tests (vitest), end-to-end tests (Playwright with /usr/bin/chromium),
# then fail if anything of ours is left on the machine. Must run as root: the tests create namespaces.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "test-all: must run as root (the tests create network namespaces and interfaces)" >&2
  exit 1
fi

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
failed=()

cleanup() {
  # Whatever happened, take the demo lab down (the e2e fixture does too; this covers interrupts).
  if [ -f dist/server/cli.js ]; then node dist/server/cli.js lab down >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
trap 'echo "test-all: interrupted" >&2; exit 130' INT TERM

step "dependencies"
scripts/ensure-deps.sh || { echo "test-all: could not install dependencies" >&2; exit 1; }
rm -rf test-reports && mkdir -p test-reports

step "build (npm run build)"
if ! npm run build --silent; then
  echo "test-all: build failed; not running tests" >&2
  exit 1
fi

step "dist/ ships no test code"
# Test kits live in testing/ folders (and the fuzzer in server/fuzz); the product build leaves them out.
shipped="$(find dist -path '*/testing/*' -o -path '*/fuzz/*' -o -path 'dist/test/*' -o -name '*.test.js' | head -5)"
if [ -n "$shipped" ]; then
  echo "test-all: dist/ holds test code:" >&2
  echo "$shipped" >&2
  failed+=(dist-test-code)
fi

step "unit tests as user nobody (no root, read-only checkout, a network namespace of their own)"
scripts/test-unit-nonroot.sh || failed+=(unit-as-nobody)

step "unit and kernel tests (vitest: projects unit and kernel)"
# What podman state and /tmp/nx* exist before the tests (check-clean reports what they add to it).
podman_before="$(mktemp)"
scripts/check-clean.sh --record "$podman_before"
npx vitest run --reporter=default --reporter=json --outputFile.json=test-reports/vitest.json || failed+=(vitest)

step "end-to-end tests (playwright, report in playwright-report/)"
PLAYWRIGHT_JSON_OUTPUT_NAME=test-reports/playwright.json \
  npx playwright test --reporter=list,json,html || failed+=(playwright)

step "leftovers"
# Checked before the EXIT trap's `lab down`, so a test that leaks the lab (or anything nx*) fails the run.
scripts/check-clean.sh --since "$podman_before" || failed+=(check-clean)
rm -f "$podman_before"

echo
node scripts/test-summary.mjs
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-all: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test-all: all passed"
