/** Command-line options of `npm run bench`. */

export const PARTS = ['snapshot', 'latency', 'idle', 'page'] as const;
export type Part = (typeof PARTS)[number];

export interface Options {
  sizes: number[];
  repeat: number;
  only: Set<Part>;
  changes: number;
  idleSeconds: number;
  /** Remove leftovers of earlier (killed) runs and exit. */
  cleanup: boolean;
  out: string;
}

export const USAGE = `usage: npm run bench -- [--sizes 10,100,300] [--repeat 5] [--only snapshot,latency,idle,page]
                        [--changes 100] [--idle-seconds 30] [--out bench-results/latest.json] [--cleanup]`;

export function parseOptions(argv: readonly string[]): Options {
  const o: Options = {
    sizes: [10, 100, 300],
    repeat: 5,
    only: new Set(PARTS),
    changes: 100,
    idleSeconds: 30,
    cleanup: false,
    out: 'bench-results/latest.json',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.includes('=') ? (a.split('=', 2) as [string, string]) : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (min: number, max: number): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min || n > max)
        throw new Error(`${flag} must be an integer in [${min}, ${max}]`);
      return n;
    };
    switch (flag) {
      case '--sizes':
        o.sizes = value()
          .split(',')
          .map((s) => Number(s.trim()));
        if (o.sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 2000))
          throw new Error('--sizes: integers 1..2000');
        break;
      case '--repeat':
        o.repeat = int(1, 100);
        break;
      case '--changes':
        o.changes = int(1, 10_000);
        break;
      case '--idle-seconds':
        o.idleSeconds = int(1, 3600);
        break;
      case '--only': {
        const parts = value().split(',');
        const bad = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
        if (bad.length)
          throw new Error(`--only: unknown part(s) ${bad.join(', ')}; known: ${PARTS.join(', ')}`);
        o.only = new Set(parts as Part[]);
        break;
      }
      case '--out':
        o.out = value();
        break;
      case '--cleanup':
        o.cleanup = true;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  o.sizes.sort((a, b) => a - b);
  return o;
}
