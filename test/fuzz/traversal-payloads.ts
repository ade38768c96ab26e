// Classic path-traversal payloads, written as the raw text of a request path (encoded the way an attacker
// sends them): dot-dot sequences in many encodings, absolute POSIX and Windows paths, NUL bytes, fullwidth
// dots and overlong UTF-8. Non-ASCII characters are sent as their UTF-8 bytes, unescaped.

/** One step up, in each encoding a filter might miss. */
export const UP_STEPS = [
  // plain and mixed separators
  '../',
  '..\\',
  '..//',
  '.././',
  '../\\',
  // percent-encoded, either case, partly encoded
  '..%2f',
  '..%2F',
  '%2e%2e%2f',
  '%2E%2E%2F',
  '%2e%2e/',
  '.%2e/',
  '%2e./',
  '..%5c',
  '..%5C',
  '%2e%2e%5c',
  // double and triple encoded
  '%252e%252e%252f',
  '..%252f',
  '%252e%252e%255c',
  '%25252e%25252e%25252f',
  // overlong UTF-8 for '.', '/' and '\'
  '..%c0%af',
  '..%c1%9c',
  '%c0%ae%c0%ae%c0%af',
  '%c0%ae%c0%ae/',
  '..%e0%80%af',
  '%e0%80%ae%e0%80%ae%e0%80%af',
  '%c0%2e%c0%2e%c0%af',
  // filter evasion: stripped once, they become ../
  '....//',
  '....\\/',
  '....%2f%2f',
  '..../',
  '...//',
  // path parameters and NULs inside the step
  '..;/',
  '..%3b/',
  '..%00/',
  '%00../',
  // unicode: fullwidth full stop and solidus (raw and encoded), IIS %u, division slash
  '．．／',
  '．．/',
  '%ef%bc%8e%ef%bc%8e%ef%bc%8f',
  '%ef%bc%8e%ef%bc%8e/',
  '%uff0e%uff0e/',
  '%uff0e%uff0e%u2215',
  '..%u2215',
  '..%e2%88%95',
  '..%e2%81%84',
];

/** Fixed payloads: absolute paths, drive letters, UNC, NUL-truncation, allowlisted names used as a prefix. */
export const FIXED_PAYLOADS = [
  '/etc/passwd',
  '%2fetc%2fpasswd',
  '%2Fetc%2Fpasswd',
  '%252fetc%252fpasswd',
  '//etc/passwd',
  '%2f%2fetc%2fpasswd',
  '\\etc\\passwd',
  '%5cetc%5cpasswd',
  'file:///etc/passwd',
  'file:%2f%2f%2fetc%2fpasswd',
  '%2fproc%2fself%2fenviron',
  '%2fproc%2fself%2fcwd%2fpackage.json',
  '%2fdev%2fzero',
  'C:\\Windows\\win.ini',
  'C:%5cWindows%5cwin.ini',
  'C:%5CWindows%5Cwin.ini',
  'C:/Windows/win.ini',
  'C:%2fWindows%2fwin.ini',
  'C%3a%5cWindows%5cwin.ini',
  'c:win.ini',
  '\\\\?\\C:\\Windows\\win.ini',
  '%5c%5c%3f%5cC:%5cWindows%5cwin.ini',
  '\\\\localhost\\c$\\windows\\win.ini',
  '%5c%5clocalhost%5cc%24%5cwindows%5cwin.ini',
  '~%2f.ssh%2fid_rsa',
  '~/.bashrc',
  '%00',
  '..%00',
  'AGENTS.md%00',
  'AGENTS.md%00.png',
  'AGENTS.md%00..%2f..%2fetc%2fpasswd',
  'knowledge%2fwiggum-loop.md%00',
  'AGENTS.md/../../etc/passwd',
  'AGENTS.md%2f..%2f..%2fetc%2fpasswd',
  'knowledge%2f..%2fAGENTS.md',
  'knowledge/../AGENTS.md',
  'knowledge%2f..%2f..%2f..%2fetc%2fpasswd',
  'knowledge%5c..%5c..%5cetc%5cpasswd',
  './AGENTS.md',
  '%2e%2fAGENTS.md',
  '.%2fAGENTS.md',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '...',
  '..%20',
  '..%09',
  `${'../'.repeat(64)}etc/passwd`,
  `${'..%2f'.repeat(64)}etc%2fpasswd`,
];

/** Text in a response that would show a system file was read. */
export const SYSTEM_FILE_MARKERS = [/root:.*:0:0:/, /\[fonts\]/i, /for 16-bit app support/i];

/**
 * Every payload aimed at `target` (a file name one or more levels above the server's folders), at the
 * absolute path `absTarget` (via enough steps up to reach `/`) and at /etc/passwd, plus the fixed payloads
 * with `absTarget`.
 */
export function traversalPayloads(target: string, absTarget: string): string[] {
  const abs = absTarget.replace(/^\/+/, '');
  const out = new Set<string>();
  for (const up of UP_STEPS) {
    for (const depth of [1, 2, 3, 8]) out.add(up.repeat(depth) + target);
    const deep = up.repeat(10);
    out.add(deep + abs);
    out.add(deep + abs.replaceAll('/', '%2f'));
    out.add(`${deep}etc/passwd`);
    out.add(`${deep}etc%2fpasswd`);
  }
  for (const p of FIXED_PAYLOADS) out.add(p);
  out.add(absTarget);
  out.add(encodeURIComponent(absTarget));
  out.add(encodeURIComponent(encodeURIComponent(absTarget)));
  out.add(`AGENTS.md%00${encodeURIComponent(absTarget)}`);
  return [...out];
}

/** A payload as the raw request-path text Node's client sends byte for byte (UTF-8 bytes as latin1 chars). */
export const rawPath = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
