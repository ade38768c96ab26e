// Run ids: `YYYYMMDDTHHMMSS_<8 hex>` (RUN_ID_RE in src/audit/records.ts is the record's side of the format).
/** A run id from the UTC time and 8 hex digits (random unless given). */
export function newRunId(now: Date, hex8?: string): string {
  const hex = hex8 ?? randomHex8();
  if (!/^[0-9a-f]{8}$/.test(hex))
    throw new TypeError(`run id suffix must be 8 lowercase hex digits, got "${hex}"`);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp =
    `${p(now.getUTCFullYear(), 4)}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}` +
    `T${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}_${hex}`;
}

// Web Crypto rather than node:crypto, so this module also loads in Temporal's workflow sandbox.
function randomHex8(): string {
  const bytes = new Uint8Array(4);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
