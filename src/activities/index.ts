// All activities, built from the worker's dependencies. One file per stage.
import type { ActivityDeps } from './deps';
import { evalActivities } from './eval';
import { evaluateActivities } from './evaluate';
import { finalizeActivities } from '../run-trace/finalize';
import { judgeActivities } from './judge';
import { litReviewActivities } from './lit-review';
import { memoryActivities } from './memory';
import { planActivities } from './plan';
import { promoteActivities } from './promote';
import { researchActivities } from './research';
import { reviseActivities } from './revise';
import { rolloutActivities } from './rollout';
import { sweeperActivities } from './sweeper';
import { synthesizeActivities } from './synthesize';
import { trainActivities } from './train';

export function createActivities(deps: ActivityDeps) {
  return {
    ...memoryActivities(deps),
    ...planActivities(deps),
    ...researchActivities(deps),
    ...synthesizeActivities(deps),
    ...evaluateActivities(deps),
    ...reviseActivities(deps),
    ...finalizeActivities(deps),
    ...litReviewActivities(deps),
    ...rolloutActivities(deps),
    ...sweeperActivities(deps),
    ...judgeActivities(deps),
    ...trainActivities(deps),
    ...evalActivities(deps),
    ...promoteActivities(deps),
  };
}

/** The activity interface workflows proxy: `proxyActivities<Activities>(...)`. */
export type Activities = ReturnType<typeof createActivities>;
