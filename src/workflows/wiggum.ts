// The Wiggum loop, one for every kind of run (harness, literature review): score the draft, revise below the
// threshold, re-score; at most maxRounds; never lose the best draft. Each caller brings its own score and revise
// activities (its rubric and prompts); this file holds the rules.
import type { RoundResult } from '../activities/types';
import { runTrace } from '../run-trace/workflow';

export interface WiggumSteps {
  maxRounds: number;
  threshold: number;
  /** Scores `draftPath` as round `round` (an activity). */
  score(round: number, draftPath: string): Promise<RoundResult>;
  /** Revises `draftPath` with the feedback at `feedbackPath` into round `round`'s draft (an activity). */
  revise(next: {
    round: number;
    fromRound: number;
    draftPath: string;
    feedbackPath: string | null;
  }): Promise<{ draftPath: string; unchanged: boolean }>;
  /**
   * After a round no evaluator could score, once some round has been scored: go on revising with the latest scored
   * round's feedback (true) or stop there (false). Called only then (callers may put a `patched()` check here).
   */
  continueAfterUnscored(): boolean;
  /** After each round is recorded (progress details). */
  onRound?(scored: RoundResult): void;
}

/**
 * A round no evaluator could score (an unparseable, degenerate or out-of-range reply: an evaluator error) never
 * replaces a scored draft. Before any round is scored such a round ends the loop (there is no feedback to go on).
 * An empty revision ends it too (there is nothing new to score).
 */
export async function wiggumLoop(firstDraft: string, s: WiggumSteps): Promise<RoundResult> {
  const trace = runTrace();
  let draftPath = firstDraft;
  let best: RoundResult | null = null;
  let feedback: { path: string | null; round: number } | null = null;
  for (let round = 1; round <= s.maxRounds; round++) {
    const scored = await s.score(round, draftPath);
    trace.recordRound(scored);
    s.onRound?.(scored);
    if (best === null || isBetter(scored, best)) best = scored;
    if (scored.composite === null) {
      if (feedback === null || !s.continueAfterUnscored()) break;
    } else {
      feedback = { path: scored.feedbackPath, round };
      if (scored.composite >= s.threshold) break;
    }
    if (round === s.maxRounds) break;
    const revised = await s.revise({
      round: round + 1,
      fromRound: feedback.round,
      draftPath,
      feedbackPath: feedback.path,
    });
    if (revised.unchanged) break;
    draftPath = revised.draftPath;
  }
  return best!;
}

/** A scored round beats an unscored one; between scored rounds the higher composite wins (ties: the earlier). */
function isBetter(r: RoundResult, best: RoundResult): boolean {
  if (r.composite === null) return false;
  return best.composite === null || r.composite > best.composite;
}
