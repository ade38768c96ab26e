// The lit-review activities, one file per stage.
import type { ActivityDeps } from '../deps';
import { litCurateActivities } from './curate';
import { litExtractActivities } from './extract';
import { litOrganiseActivities } from './organise';
import { litPlanActivities } from './plan';
import { litPublishActivities } from './publish';
import { litRetrieveActivities } from './retrieve';
import { litReviewRoundActivities } from './review';
import { litWriteActivities } from './write';

export function litReviewActivities(deps: ActivityDeps) {
  return {
    ...litPlanActivities(deps),
    ...litRetrieveActivities(deps),
    ...litCurateActivities(deps),
    ...litExtractActivities(deps),
    ...litOrganiseActivities(deps),
    ...litWriteActivities(deps),
    ...litReviewRoundActivities(deps),
    ...litPublishActivities(deps),
  };
}
