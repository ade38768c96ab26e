// The dataset card (README.md next to the export): counts, histograms, filters and provenance.
import fs from 'node:fs';
import path from 'node:path';
import type { ExportSummary } from './export';

const TAGS: Record<string, string[]> = {
  sft: ['sft'],
  dpo: ['dpo', 'preference'],
  kto: ['kto'],
  reward: ['reward-modeling', 'preference'],
};

type Feature = { name: string; dtype?: string; sequence?: string; list?: Feature[]; struct?: Feature[] };

const MESSAGE: Feature[] = [
  { name: 'role', dtype: 'string' },
  { name: 'content', dtype: 'string' },
];
const PROVENANCE: Feature = {
  name: 'provenance',
  struct: [
    { name: 'source', dtype: 'string' },
    { name: 'run_ids', sequence: 'string' },
    { name: 'task_hash', dtype: 'string' },
    { name: 'rubric_version', dtype: 'string' },
    { name: 'evaluator_models', sequence: 'string' },
    { name: 'producer_model', dtype: 'string' },
    { name: 'scores', sequence: 'float64' },
    { name: 'session_id', dtype: 'string' },
  ],
};

/**
 * The row schema, declared in the card so `datasets` does not guess it per file (a split whose scores
 * happen to be whole numbers would otherwise be read as int64 and clash with the other split).
 */
export function features(kind: ExportSummary['kind'], format: string): Feature[] {
  const text = (name: string): Feature =>
    format === 'messages' ? { name, list: MESSAGE } : { name, dtype: 'string' };
  const f64 = (name: string): Feature => ({ name, dtype: 'float64' });
  switch (kind) {
    case 'sft':
      return format === 'messages'
        ? [{ name: 'messages', list: MESSAGE }, PROVENANCE]
        : [{ name: 'prompt', dtype: 'string' }, { name: 'completion', dtype: 'string' }, PROVENANCE];
    case 'dpo':
      return [
        text('prompt'),
        text('chosen'),
        text('rejected'),
        f64('score_delta'),
        f64('chosen_score'),
        f64('rejected_score'),
        PROVENANCE,
      ];
    case 'reward':
      return [
        text('prompt'),
        text('chosen'),
        text('rejected'),
        f64('margin'),
        f64('chosen_score'),
        f64('rejected_score'),
        PROVENANCE,
      ];
    case 'kto':
      return [text('prompt'), text('completion'), { name: 'label', dtype: 'bool' }, f64('score'), PROVENANCE];
  }
}

function featureYaml(fs: Feature[], indent: string): string[] {
  return fs.flatMap((f) => {
    const head = `${indent}- name: ${f.name}`;
    if (f.dtype) return [head, `${indent}  dtype: ${f.dtype}`];
    if (f.sequence) return [head, `${indent}  sequence: ${f.sequence}`];
    const key = f.list ? 'list' : 'struct';
    return [head, `${indent}  ${key}:`, ...featureYaml((f.list ?? f.struct)!, `${indent}  `)];
  });
}

/** Counts per unit bin [0,1) … [9,10]; a text bar per bin. */
export function histogram(values: number[]): string[] {
  const bins = new Array<number>(10).fill(0);
  for (const v of values) bins[Math.min(9, Math.max(0, Math.floor(v)))]++;
  const max = Math.max(1, ...bins);
  return bins.map((c, i) => {
    const label = i === 9 ? '[9,10]' : `[${i},${i + 1})`;
    return `${label.padEnd(7)} ${String(c).padStart(5)} ${'#'.repeat(Math.round((c / max) * 40))}`;
  });
}

const list = (m: Record<string, number>) =>
  Object.keys(m).length
    ? Object.entries(m)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `\`${k}\` (${v})`)
        .join(', ')
    : '(none)';

export function datasetCard(s: ExportSummary, dataDir: string): string {
  const splits = (['train', 'test'] as const).filter((n) =>
    s.files.some((f) => path.basename(f) === `${n}.jsonl`),
  );
  const listed = splits.filter((n) => s.rows[n] > 0);
  const configs = (listed.length ? listed : ['train']).map((n) => `  - split: ${n}\n    path: ${n}.jsonl`);
  const rel = (f: string) => path.relative(dataDir, path.resolve(f)) || f;
  const lines = [
    '---',
    'configs:',
    '- config_name: default',
    '  data_files:',
    ...configs,
    'dataset_info:',
    '  features:',
    ...featureYaml(features(s.kind, String(s.filters.format)), '  '),
    'tags:',
    ...[
      'flywheel',
      'synthetic',
      ...TAGS[s.kind],
      ...(s.filters.allowUnqualified ? ['unqualified-labels'] : []),
    ].map((t) => `- ${t}`),
    '---',
    // The body's first line (the YAML front matter must stay first for `datasets`) says when labels from
    // unqualified evaluators are in.
    ...(s.filters.allowUnqualified
      ? [
          `> **Warning: exported with \`--allow-unqualified\`** — ${s.input.unqualified} run(s) or pair(s) were scored by evaluators not qualified at run time; their labels may be noise.`,
        ]
      : []),
    '',
    `# Flywheel ${s.kind} export`,
    '',
    `Generated ${new Date().toISOString()} by \`flywheel export ${s.kind}\` from \`${rel(s.input.runsFile)}\`` +
      (s.input.rolloutFiles.length ? ` and ${s.input.rolloutFiles.length} rollout pair file(s)` : '') +
      '. Labels come from the Wiggum evaluator (no human annotation); see provenance on every row.',
    '',
    '## Counts',
    '',
    '| split | rows |',
    '| --- | ---: |',
    ...splits.map((n) => `| ${n} | ${s.rows[n]} |`),
    '',
    `- records read: ${s.input.runsRead} (unusable: ${s.input.unusableRecords}; corrupt lines skipped: ${s.input.corruptLines}; repeated run ids skipped: ${s.input.duplicateRunIds})`,
    `- rollout pairs read: ${s.input.rolloutPairsRead}`,
    `- duplicate rows dropped (same prompt and completion): ${s.duplicatesDropped}`,
    `- rows withheld because their task is in a held-out battery: ${s.batteryWithheld}`,
    `- runs that passed the filters but could not be exported: ${s.problems.length}`,
    '',
    '## Filters',
    '',
    ...Object.entries(s.filters)
      .filter(([k]) => k !== 'system')
      .map(([k, v]) => `- \`${k}\`: ${JSON.stringify(v)}`),
    `- \`system\`: ${s.filters.system ? 'the synthesis instructions (see rows)' : '(none)'}`,
    '- train/test: by a hash of the normalized task, so one task is never in both splits',
    '',
    '## Evaluators',
    '',
    s.filters.allowUnqualified
      ? `**Includes labels from evaluators that were not qualified at run time** (\`--allow-unqualified\`): ${s.input.unqualified} run(s) or pair(s).`
      : `Only runs whose evaluators were all \`qualified\` at run time (\`flywheel judge qualify\`); ${s.input.unqualified} run(s) or pair(s) left out.`,
    '',
    '| evaluator | runs read (status at run time) | accuracy | 95% interval | measured |',
    '| --- | --- | ---: | --- | --- |',
    ...s.evaluators.map(
      (e) =>
        `| \`${e.model}\` | ${Object.entries(e.runs)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} | ${e.accuracy === null ? 'not measured' : e.accuracy.toFixed(3)} | ${
          e.accuracy_ci95 ? `[${e.accuracy_ci95[0].toFixed(3)}, ${e.accuracy_ci95[1].toFixed(3)}]` : '—'
        } | ${e.at ?? '—'} |`,
    ),
    ...(s.evaluators.length ? [] : ['| (none) | | | | |']),
    '',
    '## Score histograms',
    '',
  ];
  const hists = Object.entries(s.histograms);
  if (!hists.length) lines.push('(no rows)', '');
  for (const [name, values] of hists)
    lines.push(`### ${name} (n=${values.length})`, '', '```', ...histogram(values), '```', '');
  lines.push(
    '## Provenance',
    '',
    'Every row has `provenance`: `source` (run | rollout), `run_ids`, `task_hash`, `rubric_version`, ' +
      '`evaluator_models`, `producer_model`, `scores` (composite per round, or per rollout candidate), `session_id`.',
    '',
    `- rubric versions: ${list(s.provenance.rubricVersions)}`,
    `- evaluator models: ${list(s.provenance.evaluatorModels)}`,
    `- producer models: ${list(s.provenance.producerModels)}`,
    `- run kinds: ${list(s.provenance.runKinds)}`,
    `- sources: ${list(s.provenance.sources)}`,
    ...(s.input.rolloutFiles.length
      ? [`- rollout files: ${s.input.rolloutFiles.map((f) => `\`${f}\``).join(', ')}`]
      : []),
    '',
  );
  if (s.problems.length) {
    lines.push('## Runs not exported', '', '| run_id | reason |', '| --- | --- |');
    for (const p of s.problems.slice(0, 200))
      lines.push(`| ${p.run_id} | ${p.reason.replace(/\|/g, '\\|')} |`);
    if (s.problems.length > 200) lines.push('', `… and ${s.problems.length - 200} more.`);
    lines.push('');
  }
  return lines.join('\n');
}

export function writeDatasetCard(file: string, s: ExportSummary, dataDir: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, datasetCard(s, dataDir));
  fs.renameSync(tmp, file);
}
