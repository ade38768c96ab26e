// Human feedback (ratings 1–10 with a comment) on runs and memories: appended to data/feedback.jsonl through the
// audit writer, indexed incrementally like the other logs.
import path from 'node:path';
import { appendJsonl } from '../audit/jsonl';
import { FeedbackRecord } from '../audit/records';
import { JsonlIndex, type LineRef } from './jsonl-index';

export const FEEDBACK_FILE = 'feedback.jsonl';

interface FeedbackRow {
  ts: string;
  rating: number;
  ref: LineRef;
}

export interface FeedbackItem {
  ts: string;
  rating: number;
  comment: string;
}

const keyOf = (target: string, id: string) => `${target}\0${id}`;

export class FeedbackIndex {
  private byTarget = new Map<string, FeedbackRow[]>();
  readonly log: JsonlIndex;

  constructor(private readonly dataDir: string) {
    this.log = new JsonlIndex(path.join(dataDir, FEEDBACK_FILE), {
      onRecord: (rec, ref) => {
        const { ts, target, id, rating } = rec;
        if (typeof ts !== 'string' || (target !== 'run' && target !== 'memory') || typeof id !== 'string')
          return false;
        if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 10)
          return false;
        const k = keyOf(target, id);
        let list = this.byTarget.get(k);
        if (!list) this.byTarget.set(k, (list = []));
        list.push({ ts, rating, ref });
        return true;
      },
      onReset: () => this.byTarget.clear(),
    });
  }

  refresh(): Promise<void> {
    return this.log.refresh();
  }

  /** Appends one rating and returns the record written. */
  async add(target: 'run' | 'memory', id: string, rating: number, comment: string): Promise<FeedbackRecord> {
    const record = FeedbackRecord.parse({ ts: new Date().toISOString(), target, id, rating, comment });
    await appendJsonl(path.join(this.dataDir, FEEDBACK_FILE), record);
    return record;
  }

  stats(target: 'run' | 'memory', id: string): { count: number; mean: number | null } {
    const list = this.byTarget.get(keyOf(target, id)) ?? [];
    const mean = list.length ? list.reduce((s, r) => s + r.rating, 0) / list.length : null;
    return { count: list.length, mean: mean === null ? null : Math.round(mean * 100) / 100 };
  }

  /** The latest `limit` ratings of one target, newest first, with their comments. */
  async list(target: 'run' | 'memory', id: string, limit = 50): Promise<FeedbackItem[]> {
    const rows = (this.byTarget.get(keyOf(target, id)) ?? []).slice(-limit).reverse();
    const recs = await this.log.read(rows.map((r) => r.ref));
    return rows.map((r, i) => {
      const c = recs[i]?.comment;
      return { ts: r.ts, rating: r.rating, comment: typeof c === 'string' ? c : '' };
    });
  }
}
