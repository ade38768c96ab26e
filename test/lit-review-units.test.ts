import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { repairOrganisation } from '../src/activities/lit-review/organise';
import { assignCiteKeys, bibEscape, toBibtex } from '../src/lit-review/bibtex';
import { checkCitations, citedKeys, removeUnknownCitations } from '../src/lit-review/citations';
import { toCsv } from '../src/lit-review/csv';
import { decide } from '../src/lit-review/decision';
import { PERSONA_NAMES } from '../src/lit-review/personas';
import { chunks, pool } from '../src/lit-review/pool';
import { parseLitReviewTask } from '../src/lit-review/skill-input';
import { parseCsv } from '../src/papers/csv';
import { matchSkill, listSkills } from '../src/skills/registry';

const scored = (...xs: (number | null)[]) =>
  xs.map((score, i) => ({ persona: PERSONA_NAMES[i], score, reason: `r${i}` }));

describe('the curation rule', () => {
  test('a paper with every persona at 4 is included', () => {
    const d = decide(scored(4, 4, 4, 4, 4));
    assert.equal(d.included, true);
    assert.equal(d.mean, 4);
  });

  test('a mean below 3.5 excludes the paper even with no veto', () => {
    const d = decide(scored(4, 4, 3, 3, 3));
    assert.equal(d.included, false);
    assert.equal(d.mean, 3.4);
    assert.deepEqual(d.vetoes, []);
    assert.match(d.reason, /mean 3.4 is below 3.5/);
  });

  test('one persona below 2 excludes the paper whatever the mean', () => {
    const d = decide(scored(5, 5, 5, 1, 5));
    assert.equal(d.included, false);
    assert.equal(d.mean, 4.2);
    assert.deepEqual(d.vetoes, ['Contrarian']);
    assert.match(d.reason, /vetoed: Contrarian scored 1/);
  });

  test('a score of exactly 2 is not a veto', () => {
    assert.equal(decide(scored(2, 5, 4, 4, 4)).included, true);
  });

  test('missing scores are left out of the mean, and fewer than three usable scores exclude', () => {
    const some = decide(scored(4, null, 4, 4, null));
    assert.equal(some.included, true);
    assert.deepEqual(some.missing, ['Rigorist', 'Newcomer']);
    const few = decide(scored(5, null, null, 5, null));
    assert.equal(few.included, false);
    assert.match(few.reason, /only 2 of 5/);
  });
});

describe('the citation checker', () => {
  test('finds single and grouped markers and trims trailing punctuation', () => {
    assert.deepEqual(citedKeys('As shown [@a2024x; @b2023y.] and [@a2024x], not [this] or @bare.'), [
      'a2024x',
      'b2023y',
    ]);
  });

  test('refuses keys outside the included papers and lists the uncited ones', () => {
    const c = checkCitations('See [@good] and [@ghost].', ['good', 'quiet']);
    assert.deepEqual(c, { cited: ['good'], unknown: ['ghost'], uncited: ['quiet'] });
  });

  test('removal keeps valid keys in a grouped marker and drops an emptied marker', () => {
    const out = removeUnknownCitations('One [@good; @ghost]. Two [@ghost].', ['good']);
    assert.equal(out, 'One [@good]. Two.');
  });
});

describe('BibTeX and CSV', () => {
  test('cite keys are surname, year and first word, with suffixes for repeats', () => {
    const p = { title: 'The Agent Loop', authors: ['Ana Müller'], published: '2024-03-01' };
    assert.deepEqual(assignCiteKeys([p, p, { ...p, authors: [] }]), [
      'muller2024agent',
      'muller2024agenta',
      'anon2024agent',
    ]);
  });

  test('special characters cannot break an entry', () => {
    assert.equal(bibEscape('50% of {x} & y_z'), '50\\% of \\{x\\} \\& y\\_z');
    const bib = toBibtex([
      {
        key: 'arxiv:2401.1',
        citeKey: 'k2024a',
        arxivId: '2401.00001',
        title: 'A {weird} title',
        authors: ['A B', 'C D'],
        published: '2024-01-05',
        abstract: '',
        url: 'https://arxiv.org/abs/2401.00001',
        sources: ['local'],
      },
    ]);
    assert.match(bib, /^@misc\{k2024a,\n {2}title = \{\{A \\\{weird\\\} title\}\},/);
    assert.match(bib, /author = \{A B and C D\}/);
    assert.match(bib, /eprint = \{2401.00001\}/);
  });

  test('CSV round-trips quotes, commas and newlines, and neutralises formulas', () => {
    const text = toCsv([
      ['a', 'b'],
      ['x, "y"\nz', '=1+1'],
    ]);
    assert.deepEqual(parseCsv(text), [
      ['a', 'b'],
      ['x, "y"\nz', "'=1+1"],
    ]);
  });
});

describe('the skill registry and the /lit-review task', () => {
  test('an explicit /lit-review task and a request for a literature review both match the skill', () => {
    assert.equal(matchSkill('/lit-review "agent memory" --from 2024-01-01')?.name, 'lit-review');
    assert.equal(matchSkill('Write a literature review of agent memory')?.name, 'lit-review');
    assert.equal(matchSkill('Please survey the recent papers on tool use')?.name, 'lit-review');
  });

  test('an ordinary task matches no skill', () => {
    assert.equal(matchSkill('survey tool use in LLM agents'), null);
    assert.equal(matchSkill('Summarise ReAct'), null);
  });

  test('prompt-override skills are plain data', () => {
    const overrides = listSkills().filter((s) => s.promptOverride);
    assert.ok(overrides.length >= 1);
    for (const s of overrides) assert.equal(s.autoHook, null);
  });

  test('task options are read, and bad ones are refused with a reason', () => {
    assert.deepEqual(
      parseLitReviewTask(
        '/lit-review "agent memory" --from 2024-01-01 --to=2025-06-30 --max-papers 20 --source local,arxiv --template gaps',
      ),
      {
        topic: 'agent memory',
        from: '2024-01-01',
        to: '2025-06-30',
        maxPapers: 20,
        sources: ['local', 'arxiv'],
        template: 'gaps',
      },
    );
    assert.deepEqual(parseLitReviewTask('Write a literature review of agent memory'), {
      topic: 'Write a literature review of agent memory',
    });
    assert.throws(() => parseLitReviewTask('/lit-review x --from 2024-02-30'), /--from must be a date/);
    assert.throws(
      () => parseLitReviewTask('/lit-review agents --corpus ../secret.jsonl'),
      /inside the corpus/,
    );
    assert.throws(() => parseLitReviewTask('/lit-review agents --bogus 1'), /unknown option --bogus/);
  });
});

describe('organising and scheduling helpers', () => {
  test('unknown keys are dropped and unplaced papers get a theme', () => {
    const r = repairOrganisation(
      {
        themes: [{ name: 'Memory', description: 'd', papers: ['@a', '[@ghost]'] }],
        outline: [{ heading: '## Intro', goal: 'g', papers: ['a'] }],
      },
      ['a', 'b'],
      'survey',
    );
    assert.deepEqual(
      r.themes.map((t) => [t.name, t.papers]),
      [
        ['Memory', ['a']],
        ['Other work', ['b']],
      ],
    );
    // A one-section outline is unusable: the template's outline is built from the themes.
    assert.deepEqual(
      r.outline.map((s) => s.heading),
      ['Introduction', 'Memory', 'Other work', 'Conclusion'],
    );
    assert.ok(r.repaired.some((x) => x.includes('ghost')));
  });

  test('the pool never runs more than its limit at once and visits every item', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await pool(
      Array.from({ length: 10 }, (_, i) => i),
      3,
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        seen.push(i);
        running--;
      },
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.deepEqual(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  });
});
