/** Pure parsers for /proc files that discovery reads: mountinfo (nsfs mounts) and cgroup (containers). */

export interface NsfsMount {
  inode: number;
  /** Mount point, unescaped. */
  path: string;
}

/** Mount points are escaped with octal sequences (\040 for space, \012 newline, \134 backslash). */
export function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** nsfs mounts of network namespaces: fstype `nsfs` and root `net:[INODE]`. */
export function parseNetnsMounts(mountinfo: string): NsfsMount[] {
  const out: NsfsMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = line.slice(sep + 3).split(' ')[0];
    if (fstype !== 'nsfs') continue;
    const fields = line.slice(0, sep).split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    const m = root ? /^net:\[([0-9]+)\]$/.exec(root) : null;
    if (!m || !mountPoint) continue;
    out.push({ inode: Number(m[1]), path: unescapeMountPath(mountPoint) });
  }
  return out;
}

export interface CgroupContainer {
  runtime: string;
  id: string;
}

const HEX64 = '([0-9a-f]{64})';
const PATTERNS: Array<[RegExp, string]> = [
  [new RegExp(`/docker-${HEX64}\\.scope`), 'docker'],
  [new RegExp(`/docker/${HEX64}`), 'docker'],
  [new RegExp(`/libpod-(?:conmon-)?${HEX64}\\.scope`), 'podman'],
  [new RegExp(`/libpod_parent/libpod-${HEX64}`), 'podman'],
  // cgroupfs manager, container in a pod: /libpod_parent/<pod id>/libpod-<id>.
  [new RegExp(`/libpod_parent/[0-9a-f]{64}/libpod-${HEX64}`), 'podman'],
  [new RegExp(`/cri-containerd-${HEX64}\\.scope`), 'kubernetes'],
  [new RegExp(`/crio-(?:conmon-)?${HEX64}\\.scope`), 'kubernetes'],
  [new RegExp(`/kubepods[^ ]*/pod[0-9a-f_-]+/${HEX64}`), 'kubernetes'],
  [new RegExp(`/nerdctl-${HEX64}\\.scope`), 'containerd'],
  // LXC names its containers' cgroups after them: /lxc.payload.NAME (LXC 4+), /lxc/NAME (older).
  [/\/lxc\.payload\.([^/\s]+)/, 'lxc'],
  [/^\/lxc\/([^/\s]+)/, 'lxc'],
  [new RegExp(`/containerd-${HEX64}\\.scope`), 'containerd'],
];
/** containerd without Kubernetes (ctr/nerdctl with cgroupfs): /<namespace>/<64 hex>. Compiled once: a full read parses every process's cgroup. */
const PLAIN = new RegExp(`^/([a-z0-9._-]+)/${HEX64}$`);

/** Container identity from /proc/PID/cgroup (cgroup v1 or v2 lines `N:controllers:/path`). */
export function parseCgroup(text: string): CgroupContainer | null {
  for (const line of text.split('\n')) {
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    if (!path) continue;
    for (const [re, runtime] of PATTERNS) {
      const m = re.exec(path);
      if (m && m[1]) return { runtime, id: m[1] };
    }
    const plain = PLAIN.exec(path);
    if (plain && plain[1] !== 'docker' && plain[2]) return { runtime: 'containerd', id: plain[2] };
  }
  return null;
}
