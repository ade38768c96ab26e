// Keyset pagination over an append-only in-memory list: a sorted order per sort key, extended (not rebuilt) when
// items are appended, and pages that start strictly after the cursor's (value, id) so appends never shift a page.

export interface SortKey<T> {
  /** Missing values (null) sort below every number. */
  value: (item: T) => number | null;
  id: (item: T) => string;
}

export interface KeysetCursor {
  v: number | null;
  id: string;
}

const num = (v: number | null) => (v === null ? -Infinity : v);

function compareKeys(av: number | null, aid: string, bv: number | null, bid: string): number {
  const a = num(av);
  const b = num(bv);
  if (a !== b) return a < b ? -1 : 1;
  return aid < bid ? -1 : aid > bid ? 1 : 0;
}

/** Indices of `items` in ascending key order; call `sync` before use. */
export class SortedOrder<T> {
  private order: Uint32Array = new Uint32Array(0);
  private count = 0;

  constructor(private readonly key: SortKey<T>) {}

  private cmp = (items: T[]) => (i: number, j: number) =>
    compareKeys(
      this.key.value(items[i]),
      this.key.id(items[i]),
      this.key.value(items[j]),
      this.key.id(items[j]),
    );

  /** Brings the order up to date with `items` (which only grows, or shrinks to 0 on reset). */
  sync(items: T[]): Uint32Array {
    if (items.length < this.count) this.count = 0;
    if (items.length === this.count) return this.order.subarray(0, this.count);
    const cmp = this.cmp(items);
    const fresh = Array.from({ length: items.length - this.count }, (_, k) => this.count + k).sort(cmp);
    const merged = new Uint32Array(items.length);
    let a = 0;
    let b = 0;
    let o = 0;
    const old = this.order;
    while (a < this.count && b < fresh.length)
      merged[o++] = cmp(old[a], fresh[b]) <= 0 ? old[a++] : fresh[b++];
    while (a < this.count) merged[o++] = old[a++];
    while (b < fresh.length) merged[o++] = fresh[b++];
    this.order = merged;
    this.count = items.length;
    return merged;
  }

  /** Position of the first item strictly after the cursor in ascending order. */
  upperBound(items: T[], order: Uint32Array, c: KeysetCursor): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const it = items[order[mid]];
      if (compareKeys(this.key.value(it), this.key.id(it), c.v, c.id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the first item at or after the cursor in ascending order. */
  lowerBound(items: T[], order: Uint32Array, c: KeysetCursor): number {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const it = items[order[mid]];
      if (compareKeys(this.key.value(it), this.key.id(it), c.v, c.id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * One page: up to `limit` items matching `keep`, in `dir` order, strictly after `after`.
   * Returns the items and the cursor of the last one when more matching items follow.
   */
  page(
    items: T[],
    opts: { dir: 'asc' | 'desc'; after: KeysetCursor | null; limit: number; keep: (item: T) => boolean },
  ): { items: T[]; next: KeysetCursor | null } {
    const order = this.sync(items);
    const out: T[] = [];
    const step = opts.dir === 'asc' ? 1 : -1;
    let i: number;
    if (opts.dir === 'asc') i = opts.after ? this.upperBound(items, order, opts.after) : 0;
    else i = (opts.after ? this.lowerBound(items, order, opts.after) : order.length) - 1;
    let more = false;
    for (; i >= 0 && i < order.length; i += step) {
      const it = items[order[i]];
      if (!opts.keep(it)) continue;
      if (out.length === opts.limit) {
        more = true;
        break;
      }
      out.push(it);
    }
    const last = out[out.length - 1];
    return {
      items: out,
      next: more && last ? { v: this.key.value(last), id: this.key.id(last) } : null,
    };
  }
}

/** Match counts of recent filters, dropped when the log grows: paging through one filtered list counts it once. */
export class CountCache {
  private counts = new Map<string, number>();
  private at = -1;

  constructor(private readonly version: () => number) {}

  get(filter: object, count: () => number): number {
    if (this.at !== this.version()) {
      this.counts.clear();
      this.at = this.version();
    }
    const key = JSON.stringify(filter);
    let n = this.counts.get(key);
    if (n === undefined) {
      n = count();
      if (this.counts.size >= 64) this.counts.clear();
      this.counts.set(key, n);
    }
    return n;
  }
}
