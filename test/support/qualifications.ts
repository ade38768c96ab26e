// Evaluator qualifications for tests, in the format `flywheel judge qualify` writes (src/judge/qualification.ts).
import { createHash } from 'node:crypto';
import { RUBRIC } from '../../src/harness/rubric';
import { evaluatorPromptHash, type QualificationRecord } from '../../src/judge/qualification';

/** A qualification of `model` as the scripted server lists it (its digest is sha256 of the name). */
export function qualification(
  model: string,
  status: 'qualified' | 'unqualified',
  at = '2026-01-01T00:00:00.000Z',
): QualificationRecord {
  return {
    qualification_id: `q-${model}-${status}-${at}`,
    kind: 'full',
    model,
    digest: createHash('sha256').update(model).digest('hex'),
    rubric_version: RUBRIC.version,
    prompt_hash: evaluatorPromptHash(),
    at,
    pair_set: { name: 'test-pairs', sha256: '0'.repeat(64), n_total: 40 },
    metrics: {
      n_pairs: 40,
      accuracy: status === 'qualified' ? 0.85 : 0.5,
      accuracy_ci95: status === 'qualified' ? [0.71, 0.93] : [0.35, 0.65],
      ties: 2,
      direct_accuracy: 0.8,
      position_consistency: 0.9,
      first_slot_rate: 0.5,
      length_bias: {
        shorter_better_accuracy: 0.8,
        shorter_better_n: 20,
        longer_better_accuracy: 0.9,
        longer_better_n: 20,
      },
      repaired_share: 0,
      clamped_share: 0,
      degenerate_share: 0,
      unparseable: 0,
    },
    thresholds: { min_accuracy_lower_bound: 0.6, min_position_consistency: 0.7 },
    status,
    reason: status === 'qualified' ? null : 'accuracy lower bound 0.35 < 0.6',
    workflow_id: null,
  };
}
