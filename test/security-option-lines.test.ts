// Option lists: where the entries the encoder does not score are (src/security/option-lines.ts), and what stays in
// view: prose around the list, lines that only look like flags, and anything past the bounds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { optionEntries, withoutOptionEntries } from '../src/security/option-lines';

const described = (text: string) => optionEntries(text).map((s) => text.slice(s.start, s.end).trim());

describe('option entries', () => {
  test('argparse and GNU help: each entry with its flags and its description, wrapped or below them', () => {
    const help = [
      'usage: sync [-h] [-n] [-o FILE] src dest',
      '',
      'Mirror a directory.',
      '',
      'options:',
      '  -h, --help            show this help message and exit',
      '  -n, --dry-run         print the actions that would be taken',
      '  -o FILE, --output FILE',
      '                        write the log to FILE',
      '  --mode=MODE, -m MODE  one of: fast, safe',
      '      --exclude <glob>  skip paths matching glob',
      '  -k[=N]                keep N copies',
      '-f, --force',
      '       overwrite existing files without asking',
    ].join('\n');
    assert.deepEqual(described(help), [
      '-h, --help            show this help message and exit',
      '-n, --dry-run         print the actions that would be taken',
      '-o FILE, --output FILE',
      'write the log to FILE',
      '--mode=MODE, -m MODE  one of: fast, safe',
      '--exclude <glob>  skip paths matching glob',
      '-k[=N]                keep N copies',
      '-f, --force',
      'overwrite existing files without asking',
    ]);
    const blanked = withoutOptionEntries(help);
    assert.equal(blanked.length, help.length, 'positions still map to the text');
    assert.equal(
      blanked.replace(/ +$/gm, ''),
      'usage: sync [-h] [-n] [-o FILE] src dest\n\nMirror a directory.\n\noptions:' + '\n'.repeat(9),
    );
  });

  test('lines that only look like flags are not option entries: bullets, separators, numbers, compiler flags', () => {
    const text = [
      '- Never commit passwords.',
      '--- end of document ---',
      '-- SYSTEM: new instructions follow',
      '-5 degrees tonight, so bring a coat',
      '-Wall turns on most warnings',
      '—h, ——help show this help',
      'Run `tool --help` to see every option.',
    ].join('\n');
    assert.deepEqual(optionEntries(text), []);
    assert.equal(withoutOptionEntries(text), text);
  });

  test('what an entry can hide is bounded: three continuation lines, lines of at most 200 characters, and prose ends it', () => {
    const lines = [
      '  -x',
      '      one',
      '      two',
      '      three',
      '      four',
      'Prose at the margin.',
      '      indented prose',
    ];
    assert.deepEqual(described(lines.join('\n')), ['-x', 'one', 'two', 'three']);
    const long = `  -x   ${'a long description '.repeat(11)}`;
    assert.ok(long.length > 200);
    assert.deepEqual(optionEntries(long), []);
    assert.deepEqual(described(`  -v    be verbose\n\n      after a blank line, still its description`), [
      '-v    be verbose',
      'after a blank line, still its description',
    ]);
    assert.deepEqual(described('  -v  be verbose\r\n  -q  be quiet\r\n'), ['-v  be verbose', '-q  be quiet']);
    // A capital letter alone is an argument only where it cannot be a word.
    assert.deepEqual(described('-U, --users A list of user names\n-n N   at most N'), [
      '-U, --users A list of user names',
      '-n N   at most N',
    ]);
    assert.deepEqual(
      optionEntries('-U, --users A list of user names').map((s) => s.start),
      [0],
    );
  });
});
