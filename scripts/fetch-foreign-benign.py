#!/usr/bin/env python3
"""Benign text in the twelve languages the scanner glosses (src/security/gloss.ts), from a Debian 12 system.

Measurement only: the texts are GPL-licensed manual pages and program messages, so they stay out of the repository.
Needs the packages (as root):

    apt-get install -y gettext manpages-de manpages-fr manpages-es manpages-it manpages-nl manpages-pl \\
        manpages-pt-br manpages-ro manpages-cs manpages-da manpages-sv manpages-tr

Writes, per language, 150 manual-page paragraphs, 40 pages of three paragraphs and 150 program messages of five words
or more (seeded, so the same system gives the same file), labelled benign for `flywheel security eval`:

    python3 scripts/fetch-foreign-benign.py /tmp/foreign-benign.jsonl
    npx flywheel security eval /tmp/foreign-benign.jsonl
"""
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys

# Debian's folder for each language, and the glossary's code.
LANGS = {'de': 'de', 'fr': 'fr', 'es': 'es', 'it': 'it', 'nl': 'nl', 'pl': 'pl', 'pt_BR': 'pt', 'ro': 'ro',
         'cs': 'cs', 'da': 'da', 'sv': 'sv', 'tr': 'tr'}


def manual_paragraphs(folder, rng):
    env = dict(os.environ, MANWIDTH='2000', LANG='C.UTF-8')
    files = sorted(f for f in glob.glob(f'/usr/share/man/{folder}/man*/*') if os.path.isfile(f))
    rng.shuffle(files)
    paras = []
    for f in files[:80]:
        try:
            out = subprocess.run(['man', '-l', f], capture_output=True, env=env, timeout=20).stdout
        except subprocess.TimeoutExpired:
            continue
        text = re.sub(r'.\x08', '', out.decode('utf-8', 'replace'))
        ps = [re.sub(r'\s+', ' ', p).strip() for p in re.split(r'\n\s*\n', text)]
        ps = [p for p in ps if len(p.split()) >= 8 and len(p) < 1500]
        paras += rng.sample(ps, min(4, len(ps)))
    rng.shuffle(paras)
    return paras


def program_messages(folder, rng):
    strings = []
    for mo in sorted(glob.glob(f'/usr/share/locale/{folder}/LC_MESSAGES/*.mo')):
        out = subprocess.run(['msgunfmt', mo], capture_output=True).stdout.decode('utf-8', 'replace')
        for m in re.finditer(r'^msgstr "(.*)"$', out, re.M):
            s = m.group(1).replace('\\n', '\n').replace('\\"', '"').strip()
            if len(s.split()) >= 5 and '%' not in s:
                strings.append(s)
    rng.shuffle(strings)
    return strings


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith('-'):
        sys.stderr.write('usage: fetch-foreign-benign.py <out.jsonl>\n')
        return 2
    missing = [tool for tool in ('man', 'msgunfmt') if shutil.which(tool) is None]
    if missing:
        sys.stderr.write(f'missing {", ".join(missing)}: install man-db and gettext (see the header)\n')
        return 1
    rng = random.Random(7)
    rows = []
    for folder, code in LANGS.items():
        paras = manual_paragraphs(folder, rng)
        if not paras:
            sys.stderr.write(f'no manual pages in /usr/share/man/{folder}: install the manpages-* packages\n')
            return 1
        rows += [{'text': p, 'label': 'benign', 'source': f'debian-man:{code}'} for p in paras[:150]]
        rows += [{'text': '\n\n'.join(rng.sample(paras, min(3, len(paras)))), 'label': 'benign',
                  'source': f'debian-man-page:{code}'} for _ in range(40)]
        rows += [{'text': s, 'label': 'benign', 'source': f'debian-ui:{code}'}
                 for s in program_messages(folder, rng)[:150]]
        sys.stderr.write(f'{code}: {len(rows)} rows so far\n')
    with open(sys.argv[1], 'w', encoding='utf-8') as out:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + '\n')
    sys.stderr.write(f'wrote {len(rows)} rows to {sys.argv[1]}\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
