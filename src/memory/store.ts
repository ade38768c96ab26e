import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import Database from 'better-sqlite3';

export interface Memory {
  id: string;
  text: string;
  run_id: string | null;
  task: string | null;
  score: number | null;
  quality: number;
  embedding: number[] | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  retrieved_count: number;
  last_retrieved_at: string | null;
}

export type MemoryInput = Pick<Memory, 'text'> &
  Partial<Pick<Memory, 'run_id' | 'task' | 'score' | 'quality' | 'embedding' | 'tags'>>;

interface Row extends Omit<Memory, 'embedding' | 'tags'> {
  embedding: string | null;
  tags: string;
}

const toMemory = (r: Row): Memory => ({
  ...r,
  embedding: r.embedding ? JSON.parse(r.embedding) : null,
  tags: JSON.parse(r.tags),
});

/**
 * The memory store: SQLite in WAL mode under data/memory/. Every write is a transaction, so it survives
 * crashes, and a busy timeout lets several processes (workers, dashboard) write concurrently.
 */
export class MemoryStore {
  private db: Database.Database;

  constructor(dataDir: string) {
    const dir = path.join(dataDir, 'memory');
    fs.mkdirSync(dir, { recursive: true });
    this.db = new Database(path.join(dir, 'memories.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS memories (
      id TEXT PRIMARY KEY, text TEXT NOT NULL, run_id TEXT, task TEXT, score REAL, quality REAL NOT NULL DEFAULT 5,
      embedding TEXT, tags TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
      retrieved_count INTEGER NOT NULL DEFAULT 0, last_retrieved_at TEXT)`);
    this.db.exec(
      'CREATE UNIQUE INDEX IF NOT EXISTS memories_run ON memories(run_id) WHERE run_id IS NOT NULL',
    );
  }

  close(): void {
    this.db.close();
  }

  /** Insert; a memory for a run id that already has one is returned unchanged (idempotent on retry). */
  add(input: MemoryInput): Memory {
    if (input.run_id) {
      const existing = this.db.prepare('SELECT * FROM memories WHERE run_id = ?').get(input.run_id) as
        Row | undefined;
      if (existing) return toMemory(existing);
    }
    const now = new Date().toISOString();
    const id = crypto.randomUUID();
    this.db
      .prepare(
        `INSERT INTO memories (id, text, run_id, task, score, quality, embedding, tags, created_at, updated_at)
         VALUES (@id, @text, @run_id, @task, @score, @quality, @embedding, @tags, @now, @now)`,
      )
      .run({
        id,
        text: input.text,
        run_id: input.run_id ?? null,
        task: input.task ?? null,
        score: input.score ?? null,
        quality: input.quality ?? 5,
        embedding: input.embedding ? JSON.stringify(input.embedding) : null,
        tags: JSON.stringify(input.tags ?? []),
        now,
      });
    return this.get(id)!;
  }

  get(id: string): Memory | undefined {
    const r = this.db.prepare('SELECT * FROM memories WHERE id = ?').get(id) as Row | undefined;
    return r && toMemory(r);
  }

  list(opts: { limit?: number; offset?: number; q?: string } = {}): Memory[] {
    const rows = opts.q
      ? this.db
          .prepare(
            'SELECT * FROM memories WHERE text LIKE ? OR task LIKE ? ORDER BY created_at DESC LIMIT ? OFFSET ?',
          )
          .all(`%${opts.q}%`, `%${opts.q}%`, opts.limit ?? 100, opts.offset ?? 0)
      : this.db
          .prepare('SELECT * FROM memories ORDER BY created_at DESC LIMIT ? OFFSET ?')
          .all(opts.limit ?? 100, opts.offset ?? 0);
    return (rows as Row[]).map(toMemory);
  }

  all(): Memory[] {
    return (this.db.prepare('SELECT * FROM memories ORDER BY created_at').all() as Row[]).map(toMemory);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM memories').get() as { n: number }).n;
  }

  /**
   * Changes a memory. New text without a new embedding drops the old one (an embedding of other words would
   * mislead recall); the next recall embeds it again (`unembedded()`).
   */
  update(
    id: string,
    patch: Partial<Pick<Memory, 'text' | 'quality' | 'tags' | 'score' | 'embedding'>>,
  ): Memory | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    const next = { ...cur, ...patch };
    if (patch.text !== undefined && patch.text !== cur.text && patch.embedding === undefined)
      next.embedding = null;
    this.db
      .prepare(
        'UPDATE memories SET text = ?, quality = ?, tags = ?, score = ?, embedding = ?, updated_at = ? WHERE id = ?',
      )
      .run(
        next.text,
        next.quality,
        JSON.stringify(next.tags),
        next.score,
        next.embedding ? JSON.stringify(next.embedding) : null,
        new Date().toISOString(),
        id,
      );
    return this.get(id);
  }

  /** Memories with no embedding yet (stored while the model server was down, or edited since). */
  unembedded(): Memory[] {
    return this.all().filter((m) => !m.embedding);
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM memories WHERE id = ?').run(id).changes > 0;
  }

  /** A human rating (1–10) moves quality towards it (exponential moving average). */
  rate(id: string, rating: number): Memory | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    return this.update(id, { quality: Math.round((cur.quality * 0.7 + rating * 0.3) * 100) / 100 });
  }

  markRetrieved(ids: string[]): void {
    const now = new Date().toISOString();
    const stmt = this.db.prepare(
      'UPDATE memories SET retrieved_count = retrieved_count + 1, last_retrieved_at = ? WHERE id = ?',
    );
    this.db.transaction(() => ids.forEach((id) => stmt.run(now, id)))();
  }
}
