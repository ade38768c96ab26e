// Shapes shared by the lit-review workflow, its activities and the CLI. Pure types.
import type { Paper } from '../papers/types';
import type { Progress } from '../run-trace/workflow';
import type { Decision, PersonaScore } from './decision';
import type { OutlineSection, TemplateName, Theme } from './templates';

/** A candidate as stored in papers/<slug>.json. */
export type CandidatePaper = Paper & { index: number; citeKey: string };

/** One curation decision: a line of curation.jsonl. */
export interface CurationLine extends Decision {
  ts: string;
  review_id: string;
  paper_key: string;
  index: number;
  cite_key: string;
  title: string;
  published: string;
  scores: PersonaScore[];
}

export interface Extraction {
  problem: string;
  method: string;
  evidence: string;
  key_claims: string[];
  limitations: string;
  /** Set when the model's reply was unusable and the abstract stands in. */
  fallback?: boolean;
}

/** organise.json: the included papers, the themes and the outline the writer follows. */
export interface Organised {
  template: TemplateName;
  included: { index: number; citeKey: string }[];
  themes: Theme[];
  outline: OutlineSection[];
  repaired: string[];
}

/** What the `progress` query of a litReview workflow returns: a run's progress plus the paper counts. */
export interface LitReviewProgress extends Progress {
  topic: string;
  fetched: number;
  curated: number;
  included: number;
  excluded: number;
  annotated: number;
  sectionsWritten: number;
  sectionsTotal: number;
}

/** Sent by a batch child to its review after each paper. */
export interface PaperDone {
  stage: 'curate' | 'extract';
  index: number;
  included?: boolean;
}

export interface BatchInput {
  runId: string;
  stage: 'curate' | 'extract';
  indices: number[];
  concurrency: number;
  topic: string;
  model: string;
  temperature: number;
  numPredict: number;
}

export interface BatchResult {
  stage: 'curate' | 'extract';
  included: number[];
  excluded: number[];
}

export interface LitReviewResult {
  runId: string;
  final: 'PASS' | 'FAIL';
  scores: number[];
  outputPath: string;
  draftPath: string | null;
  bibPath: string;
  csvPath: string;
  curationLogPath: string;
  candidates: number;
  included: number;
}
