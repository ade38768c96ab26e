/** A rollout batch id: used in workflow ids and as the file name data/rollouts/<batch_id>.jsonl. */
export const BATCH_ID_RE = /^[A-Za-z0-9._-]{1,100}$/;
