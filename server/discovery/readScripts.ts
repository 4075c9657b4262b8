/**
 * The shell scripts discovery runs: constants built only from our constant ip batches, never
 * from data. The chunk script reads many namespaces in one process (reader.ts, full reads); the
 * serve script answers one request at a time on stdin (readServer.ts, the live refreshes).
 */
import { IP, NSENTER } from '../exec/run.js';
import { readableDeviceName } from './deviceRead.js';
import { NSID_BATCH_LINE, READ_BATCH } from './ipParse.js';

/** Marks that cut a script's output into per-request sections (`@@nx I`, `@@nx-end I STATUS`). */
const MARK = '@@nx';

export function batchText(nsids: boolean): string {
  return [...READ_BATCH, ...(nsids ? [NSID_BATCH_LINE] : [])].join('\n') + '\n';
}

/**
 * The chunk script: a constant (built only from our constant batches, never from data). Its
 * arguments are `MOUNTNS` (or empty) then pairs `MODE PATH` (MODE `n`: with the nsid map; PATH
 * empty: our own namespace). Per pair it prints `@@nx I` on stdout and stderr, runs ip, then
 * `@@nx-end I STATUS` on stdout. Paths reach nsenter only as quoted arguments (no injection).
 */
const heredoc = (nsids: boolean) => `<<'NX_BATCH'\n${batchText(nsids)}NX_BATCH\n`;
const RD = `rd() {
  if [ "$f" = n ]; then "$@" ${IP} -j -d -b - ${heredoc(true)}  else "$@" ${IP} -j -d -b - ${heredoc(false)}  fi
}`;
/** Runs function $1 in namespace $p (empty: ours) through mount namespace $m (empty: ours). */
const rdIn = (fn: string) => `  if [ -n "$p" ] && [ -n "$m" ]; then ${fn} ${NSENTER} --net="$p" --mount="$m"
  elif [ -n "$p" ]; then ${fn} ${NSENTER} --net="$p"
  elif [ -n "$m" ]; then ${fn} ${NSENTER} --mount="$m"
  else ${fn}
  fi`;
export const CHUNK_SCRIPT = `m=$1; shift; i=0
${RD}
while [ $# -ge 2 ]; do
  f=$1; p=$2; shift 2
  echo "${MARK} $i"; echo "${MARK} $i" >&2
${rdIn('rd')}
  echo "${MARK}-end $i $?"
  i=$((i + 1))
done
`;

/**
 * The read server's script (a constant too): reads requests of four lines `MODE`, `PATH`,
 * `MOUNTNS`, `DEVICES` from stdin (data, never code) and answers each like a chunk does one pair,
 * with the end mark on stderr as well so both streams can be cut per request. MODE `d` reads the
 * devices of `DEVICES` (deviceRead.ts) in one `ip -b` run: space-separated `l/NAME` (link and
 * addresses) or `r/NAME` (and the routes through it). Names reach ip only as batch lines after
 * `dev`, and only names without blanks, quotes, `#` or glob characters are sent (servable), so
 * ip's batch tokenizer and the shell's word splitting (globbing off) keep each whole. MODE `e`
 * asks which of those devices exist (`link show dev NAME` each, -force: a missing one prints
 * nothing and the others still print).
 */
export const SERVE_SCRIPT = `set -f; i=0
${RD}
rdev() {
  for x in $d; do
    n=\${x#?/}
    printf 'addr show dev %s\\n' "$n"
    case $x in r/*) printf 'route show table all root 0.0.0.0/0 dev %s\\nroute show table all root ::/0 dev %s\\n' "$n" "$n" ;; esac
  done | "$@" ${IP} -j -d -b -
}
rexist() {
  for x in $d; do printf 'link show dev %s\\n' "\${x#?/}"; done | "$@" ${IP} -j -force -b -
}
while IFS= read -r f && IFS= read -r p && IFS= read -r m && IFS= read -r d; do
  echo "${MARK} $i"; echo "${MARK} $i" >&2
  r=rd; if [ "$f" = d ]; then r=rdev; elif [ "$f" = e ]; then r=rexist; fi
${rdIn('$r')}
  s=$?
  echo "${MARK}-end $i $s"; echo "${MARK}-end $i $s" >&2
  i=$((i + 1))
done
`;

/** True when a read server request can be written as its four lines. */
export function servable(r: {
  path: string;
  mountNs: string | null;
  devices?: ReadonlyArray<{ name: string }>;
}): boolean {
  const devices = r.devices ?? [];
  if (r.devices !== undefined && (devices.length === 0 || !devices.every((d) => readableDeviceName(d.name))))
    return false;
  return [r.path, r.mountNs ?? ''].every((v) => !/[\n\r\0]/.test(v));
}
