/**
 * Strings that have broken or fooled command-line and address parsers: option-like, shell
 * metacharacters, paths, control bytes, non-ASCII, over-long names, odd address notations,
 * prototype keys. Shared by the live-server fuzz and the actions' hostile-input test; each adds
 * what is particular to it. Some are valid names, so users filter by the field's own validator.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '-x',
  'a b',
  'x%d',
  '../',
  '../../proc/1/ns/net',
  '',
  ' ',
  '\u0000',
  '$(reboot)',
  '`id`',
  ';ls',
  '--help',
  '-batch',
  'é',
  'a\nb',
  'a/b',
  'a:b',
  '.',
  '..',
  'x'.repeat(16),
  'fe80::1%eth0',
  '010.1.2.3',
  '10.8/16',
  '1.2.3.4/33',
  'default',
];
