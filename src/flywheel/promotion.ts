// The promotion gate of the nightly loop: a tuned model replaces the alias the harness uses only when its
// battery interval against the current model is above zero and no battery task was in its training data.
import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import type { EvalRecord } from '../activities/eval';
import { batteryTaskHashes } from './battery';

export interface PromotionDecision {
  promote: boolean;
  /** Every reason not to promote (empty when promoting). */
  reasons: string[];
  leaked_tasks: string[];
  battery_diff: EvalRecord['battery_figures']['diff'];
}

export const promotionsLog = (dataDir: string) => path.join(dataDir, 'promotions.jsonl');

/** `trainingTaskHashes`: the task hashes of the rows the model was trained on (lineage / datasetFacts). */
export function decidePromotion(
  dataDir: string,
  ev: EvalRecord,
  trainingTaskHashes: string[],
): PromotionDecision {
  const held = batteryTaskHashes(dataDir);
  const leaked = trainingTaskHashes.filter((h) => held.has(h));
  const diff = ev.battery_figures.diff;
  const reasons: string[] = [];
  if (leaked.length) reasons.push(`${leaked.length} battery task(s) were in the training data`);
  if (!ev.baseline || !diff) reasons.push('the eval has no baseline to compare with');
  else if (!diff.ci95) reasons.push('no battery task was scored for both models');
  else if (!(diff.ci95[0] > 0))
    reasons.push(`the battery interval [${diff.ci95.join(', ')}] is not above zero (mean ${diff.mean})`);
  if (ev.allow_unqualified) reasons.push('the eval allowed unqualified evaluators');
  return { promote: reasons.length === 0, reasons, leaked_tasks: leaked, battery_diff: diff };
}

export async function recordPromotion(
  dataDir: string,
  rec: {
    promotion_id: string;
    at: string;
    model: string;
    alias: string;
    eval_id: string;
  } & PromotionDecision,
): Promise<void> {
  await appendJsonl(promotionsLog(dataDir), rec, { key: 'promotion_id' });
}
