// A tuned model's lineage: what it was trained on and how. One line per model in data/models.jsonl.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { appendJsonl, readJsonl } from '../audit/jsonl';
import { readQualifications, statusOf, type RunQualification } from '../judge/qualification';
import type { TrainArgs, TrainDone } from './run';

export const modelsLog = (dataDir: string) => path.join(dataDir, 'models.jsonl');

export interface DatasetFacts {
  dir: string;
  card_sha256: string | null;
  rows: number;
  /** The export's filters, as listed on its dataset card. */
  filter: Record<string, unknown>;
  rubric_versions: string[];
  evaluator_models: string[];
  task_hashes: string[];
}

export interface ModelLineage {
  schema: 1;
  name: string;
  id: string;
  base: string;
  hf_base: string;
  created_at: string;
  dataset: Omit<DatasetFacts, 'task_hashes'>;
  evaluator_qualifications: Record<string, RunQualification>;
  training_args: TrainArgs;
  final_loss: number | null;
  train_loss: number;
  tokens: number;
  seconds: number;
  tokens_per_s: number | null;
  device: string;
  /** The checkpoint the last attempt resumed from (a worker was stopped mid-training), or null. */
  resumed_from: string | null;
  workflow_id: string;
}

/** Reads what lineage needs from an export folder (train.jsonl + README.md dataset card). */
export function datasetFacts(dir: string): DatasetFacts {
  const card = path.join(dir, 'README.md');
  const cardText = fs.existsSync(card) ? fs.readFileSync(card) : null;
  const filter: Record<string, unknown> = {};
  if (cardText) {
    const section = cardText.toString('utf8').split('## Filters')[1]?.split('\n## ')[0] ?? '';
    for (const m of section.matchAll(/^- `([^`]+)`: (.+)$/gm)) {
      try {
        filter[m[1]] = JSON.parse(m[2]);
      } catch {
        filter[m[1]] = m[2];
      }
    }
  }
  const rubric = new Set<string>();
  const evaluators = new Set<string>();
  const hashes = new Set<string>();
  let rows = 0;
  for (const line of fs.readFileSync(path.join(dir, 'train.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    rows++;
    const p = (JSON.parse(line) as { provenance?: Record<string, unknown> }).provenance;
    if (!p) continue;
    if (typeof p.rubric_version === 'string') rubric.add(p.rubric_version);
    if (typeof p.task_hash === 'string') hashes.add(p.task_hash);
    if (Array.isArray(p.evaluator_models)) for (const m of p.evaluator_models) evaluators.add(String(m));
  }
  return {
    dir: path.resolve(dir),
    card_sha256: cardText ? crypto.createHash('sha256').update(cardText).digest('hex') : null,
    rows,
    filter,
    rubric_versions: [...rubric].sort(),
    evaluator_models: [...evaluators].sort(),
    task_hashes: [...hashes].sort(),
  };
}

/** The qualification status of each evaluator whose scores chose the training rows. */
export async function evaluatorQualifications(
  dataDir: string,
  models: string[],
): Promise<Record<string, RunQualification>> {
  const all = await readQualifications(dataDir);
  return Object.fromEntries(models.map((m) => [m, statusOf(all, m)]));
}

export async function recordModel(dataDir: string, rec: ModelLineage): Promise<void> {
  await appendJsonl(modelsLog(dataDir), rec, { key: 'name' });
}

export async function readModels(dataDir: string): Promise<ModelLineage[]> {
  const out: ModelLineage[] = [];
  if (!fs.existsSync(modelsLog(dataDir))) return out;
  for await (const r of readJsonl(modelsLog(dataDir))) out.push(r as ModelLineage);
  return out;
}

export function lineageFrom(
  done: TrainDone,
  x: Pick<
    ModelLineage,
    | 'name'
    | 'id'
    | 'base'
    | 'hf_base'
    | 'created_at'
    | 'evaluator_qualifications'
    | 'training_args'
    | 'workflow_id'
  > & {
    dataset: DatasetFacts;
  },
): ModelLineage {
  const { task_hashes: _omit, ...dataset } = x.dataset;
  return {
    schema: 1,
    ...x,
    dataset,
    final_loss: done.final_loss,
    train_loss: done.train_loss,
    tokens: done.tokens,
    seconds: done.seconds,
    tokens_per_s: done.tokens_per_s,
    device: done.device,
    resumed_from: done.resumed_from,
  };
}
