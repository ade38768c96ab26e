/**
 * Builds one valid instance of a JSON schema (the subset zod's `toJSONSchema` and hand-written
 * structured-output schemas use), so the scripted model can answer `format` requests.
 */

export interface SampleOptions {
  /** Where numbers land between minimum and maximum: a fraction 0..1 or a name. Default 0.8. */
  numberPreference?: 'max' | 'min' | 'mid' | number;
}

type Schema = Record<string, any> | boolean;

// Bounds this large (zod emits ±MAX_SAFE_INTEGER for z.int()) mean "unbounded".
const HUGE = 1e15;
const UUID = '123e4567-e89b-42d3-a456-426614174000';

export function sampleFromSchema(schema: unknown, opts: SampleOptions = {}): unknown {
  const pref = preference(opts.numberPreference);
  const root = (schema ?? {}) as Schema;
  return sample(root, { root, pref, depth: 0, name: 'value', variant: 0 });
}

interface Ctx {
  root: Schema;
  pref: number;
  depth: number;
  /** Property name (used to make strings readable). */
  name: string;
  /** Distinguishes siblings in arrays with uniqueItems. */
  variant: number;
}

function preference(p: SampleOptions['numberPreference']): number {
  if (p === 'max') return 1;
  if (p === 'min') return 0;
  if (p === 'mid') return 0.5;
  if (typeof p === 'number' && p >= 0 && p <= 1) return p;
  return 0.8;
}

function sample(schema: Schema, ctx: Ctx): unknown {
  if (schema === true || schema === false || ctx.depth > 20) return null;
  const s = resolve(schema, ctx.root);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[ctx.variant % s.enum.length];
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return sample(mergeAll(s, ctx.root), ctx);
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    const nonNull = alternatives.find((a) => typeof a === 'object' && resolve(a, ctx.root).type !== 'null');
    return sample(nonNull ?? alternatives[0], { ...ctx, depth: ctx.depth + 1 });
  }
  switch (pickType(s)) {
    case 'object':
      return sampleObject(s, ctx);
    case 'array':
      return sampleArray(s, ctx);
    case 'integer':
      return sampleNumber(s, ctx, true);
    case 'number':
      return sampleNumber(s, ctx, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return sampleString(s, ctx);
  }
}

function resolve(schema: Schema, root: Schema): Record<string, any> {
  if (typeof schema !== 'object') return {};
  let s = schema;
  for (let hops = 0; typeof s.$ref === 'string' && hops < 32; hops++) {
    const target = pointer(root, s.$ref);
    if (!target || typeof target !== 'object') break;
    const { $ref: _ref, ...rest } = s;
    s = { ...target, ...rest };
  }
  return s;
}

function pointer(root: Schema, ref: string): any {
  if (!ref.startsWith('#')) return undefined;
  const parts = ref
    .slice(1)
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: any = root;
  for (const p of parts) node = node?.[p];
  return node;
}

function mergeAll(s: Record<string, any>, root: Schema): Record<string, any> {
  const { allOf, ...base } = s;
  const merged: Record<string, any> = { ...base };
  for (const part of allOf as Schema[]) {
    const r = resolve(part, root);
    for (const [k, v] of Object.entries(r)) {
      if (k === 'properties') merged.properties = { ...merged.properties, ...v };
      else if (k === 'required') merged.required = [...(merged.required ?? []), ...v];
      else merged[k] = v;
    }
  }
  return merged;
}

function pickType(s: Record<string, any>): string {
  const t = s.type;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') ?? 'null';
  if (typeof t === 'string') return t;
  if (s.properties || s.required || s.additionalProperties) return 'object';
  if (s.items || s.prefixItems) return 'array';
  if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].some((k) => k in s)) {
    return 'number';
  }
  return 'string';
}

function sampleObject(s: Record<string, any>, ctx: Ctx): Record<string, unknown> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(Array.isArray(s.required) ? s.required : []);
  const max = typeof s.maxProperties === 'number' ? s.maxProperties : Infinity;
  // Required first, then optional ones while maxProperties allows.
  const keys = [...required, ...Object.keys(props).filter((k) => !required.has(k))];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (!required.has(key) && Object.keys(out).length >= max) break;
    const child = props[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
    out[key] = sample(child, { ...ctx, depth: ctx.depth + 1, name: key, variant: 0 });
  }
  const min = typeof s.minProperties === 'number' ? s.minProperties : 0;
  const extra = typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : {};
  for (let i = 1; Object.keys(out).length < min && s.additionalProperties !== false; i++) {
    out[`key${i}`] = sample(extra, { ...ctx, depth: ctx.depth + 1, name: `key${i}`, variant: i });
  }
  return out;
}

function sampleArray(s: Record<string, any>, ctx: Ctx): unknown[] {
  const prefix = (
    Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : []
  ) as Schema[];
  const rest: Schema | undefined = Array.isArray(s.items) ? s.additionalItems : s.items;
  const minItems = typeof s.minItems === 'number' ? s.minItems : 0;
  const maxItems = typeof s.maxItems === 'number' ? s.maxItems : Infinity;
  let count = Math.min(Math.max(minItems, 2), maxItems);
  if (rest === false || (rest === undefined && prefix.length > 0)) count = Math.min(count, prefix.length);
  count = Math.max(count, Math.min(minItems, prefix.length));
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const child = i < prefix.length ? prefix[i] : (rest ?? {});
    const variant = s.uniqueItems ? i : 0;
    out.push(sample(child, { ...ctx, depth: ctx.depth + 1, name: ctx.name, variant }));
  }
  return out;
}

function sampleNumber(s: Record<string, any>, ctx: Ctx, integer: boolean): number {
  let lo = bound(s.minimum, -Infinity);
  let hi = bound(s.maximum, Infinity);
  let loOpen = false;
  let hiOpen = false;
  // Draft 6+: exclusive bounds are numbers; draft 4: booleans modifying minimum/maximum.
  if (typeof s.exclusiveMinimum === 'number' && s.exclusiveMinimum >= lo)
    [lo, loOpen] = [s.exclusiveMinimum, true];
  if (typeof s.exclusiveMaximum === 'number' && s.exclusiveMaximum <= hi)
    [hi, hiOpen] = [s.exclusiveMaximum, true];
  if (s.exclusiveMinimum === true) loOpen = true;
  if (s.exclusiveMaximum === true) hiOpen = true;
  if (lo === -Infinity && hi === Infinity) [lo, hi] = [0, 10];
  else if (lo === -Infinity) lo = hi - 10;
  else if (hi === Infinity) hi = lo + 10;

  let v = lo + ctx.pref * (hi - lo) + ctx.variant;
  const step = typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : integer ? 1 : 0;
  const inside = (x: number) => (loOpen ? x > lo : x >= lo) && (hiOpen ? x < hi : x <= hi);
  if (step > 0) {
    const first = Math.ceil(lo / step) * step;
    const last = Math.floor(hi / step) * step;
    v = Math.min(Math.max(Math.round(v / step) * step, first), last);
    if (!inside(v)) v = inside(v + step) ? v + step : v - step;
    return tidy(v);
  }
  if (v > hi || (hiOpen && v >= hi)) v = hiOpen ? (lo + hi) / 2 + (hi - (lo + hi) / 2) * 0.9 : hi;
  if (v < lo || (loOpen && v <= lo)) v = loOpen ? (lo + hi) / 2 - ((lo + hi) / 2 - lo) * 0.9 : lo;
  return tidy(v);
}

function bound(x: unknown, fallback: number): number {
  return typeof x === 'number' && Math.abs(x) < HUGE ? x : fallback;
}

/** Removes float noise such as 8.000000000000002. */
function tidy(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(12));
}

function sampleString(s: Record<string, any>, ctx: Ctx): string {
  const suffix = ctx.variant > 0 ? ` ${ctx.variant + 1}` : '';
  let v: string;
  switch (s.format) {
    case 'date-time':
      v = '2025-01-15T12:00:00Z';
      break;
    case 'date':
      v = '2025-01-15';
      break;
    case 'time':
      v = '12:00:00Z';
      break;
    case 'email':
      v = `sample${ctx.variant || ''}@example.com`;
      break;
    case 'uri':
    case 'url':
      v = `https://example.com/${encodeURIComponent(ctx.name)}${ctx.variant || ''}`;
      break;
    case 'uuid':
      v = ctx.variant ? UUID.slice(0, -2) + String(ctx.variant).padStart(2, '0').slice(-2) : UUID;
      break;
    case 'ipv4':
      return '192.0.2.1';
    default:
      v = `sample ${ctx.name.replace(/[_-]+/g, ' ')}${suffix}`;
  }
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  while ([...v].length < min) v += ' lorem ipsum';
  const chars = [...v];
  if (chars.length > max) v = chars.slice(0, max).join('');
  if ([...v].length < min) v = v.padEnd(min, 'x');
  return v;
}
