/** `netns-explorer diff A.json B.json`: prints what changed from snapshot A to snapshot B. */
import { diffText, readSnapshotFile } from './snapshotFiles.js';

export const DIFF_USAGE =
  'usage: netns-explorer diff A.json B.json\nPrints the changes from snapshot A to snapshot B, one per line.\n';

export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(DIFF_USAGE);
    return 0;
  }
  if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
    process.stderr.write(`netns-explorer: diff needs exactly two snapshot files\n${DIFF_USAGE}`);
    return 2;
  }
  try {
    const [a, b] = await Promise.all(args.map((f) => readSnapshotFile(f)));
    process.stdout.write(diffText(args[0]!, a!, args[1]!, b!));
    return 0;
  } catch (e) {
    process.stderr.write(`netns-explorer: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
