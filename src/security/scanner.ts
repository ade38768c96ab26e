import { IMAGE_PATTERNS, PATTERN_RULES, classifyImageUrl } from './injection-rules';
import { classifyWindows, injectionModel, type LinearModel } from './classifier';
import { decodedViews } from './decode';
import { GLOSS_CONFIRM_THRESHOLD, GLOSS_ENCODER_THRESHOLD, GLOSS_SKIPPED_RULES, glossParts } from './gloss';
import { encoderWindows, isVocabularyWord, loadEncoder } from './encoder';
import { withoutOptionEntries } from './option-lines';
import { normalizeForScan, normalizeWithMap, type NormalizedText } from './normalize';

export { normalizeForScan };

/** Where a scan happens; free-form so that new layers need no change here. */
export type Layer = 'fetch' | 'memory_write' | 'synthesis_write' | 'file_api' | (string & {});

export interface Finding {
  rule: string;
  severity: 'block' | 'warn';
  /** Which layer fired: the rules (explainable patterns), the n-gram classifier or the encoder. */
  detector: 'rules' | 'classifier' | 'encoder';
  /** The learned layer's score (0–1) for its findings. */
  score?: number;
  /** The matched text in scan form (de-obfuscated), at most EXCERPT_MAX characters. */
  excerpt: string;
}

export interface ScanResult {
  verdict: 'ok' | 'warn' | 'block';
  findings: Finding[];
  /** The scan form of the text. */
  normalized: string;
  /** The original text with blocked spans replaced by `[removed: <rule>]` and hidden characters dropped. */
  sanitized: string;
  /** The classifier's highest window score and the threshold it was held to (absent when it is off). */
  classifier?: { score: number; threshold: number };
  /** The encoder's highest window score and its threshold (only from `scan`, absent when it is off). */
  encoder?: { score: number; threshold: number };
}

export interface ScanOptions {
  /** What a classifier score at or above the threshold does: block (default), warn only, or nothing (rules only). */
  classifier?: 'block' | 'warn' | 'off';
  /** Default: FLYWHEEL_INJECTION_THRESHOLD, else the threshold the model was built with. */
  threshold?: number;
  /** Default: the shipped model (another one is passed when measuring, e.g. leave-one-family-out). */
  model?: LinearModel;
  /** What an encoder score at or above its threshold does (`scan` only): block (default), warn or off; always off when
   * FLYWHEEL_INJECTION_ENCODER=off. */
  encoder?: 'block' | 'warn' | 'off';
  /** Default: FLYWHEEL_INJECTION_ENCODER_THRESHOLD, else the encoder's own. */
  encoderThreshold?: number;
  /** Whether `scan` also scans the decoded readings of encoded payloads (decode.ts). Default true; the benchmark turns
   * it off to measure what it costs. */
  decode?: boolean;
  /** Rules not applied (a gloss is scanned without `instruction_override`: gloss.ts). */
  skipRules?: ReadonlySet<string>;
  /** Whether `scan` also scans the English gloss of lines in other languages (gloss.ts). Default: true unless
   * FLYWHEEL_INJECTION_TRANSLATE=off. */
  translate?: boolean;
}

/** The threshold in force: the option, else FLYWHEEL_INJECTION_THRESHOLD (validated by the settings), else the model's. */
export function classifierThreshold(opts: ScanOptions = {}): number {
  return thresholdInForce(opts.threshold, 'FLYWHEEL_INJECTION_THRESHOLD', () => injectionModel().threshold);
}

function thresholdInForce(option: number | undefined, env: string, own: () => number): number {
  if (option !== undefined) return option;
  const v = Number(process.env[env]);
  return process.env[env] && v > 0 && v <= 1 ? v : own();
}

/** Same for the encoder: the option, else FLYWHEEL_INJECTION_ENCODER_THRESHOLD, else the one it was calibrated with. */
const encoderThreshold = (opts: ScanOptions, own: number) =>
  thresholdInForce(opts.encoderThreshold, 'FLYWHEEL_INJECTION_ENCODER_THRESHOLD', () => own);

const EXCERPT_MAX = 120;
const INVISIBLE_WARN_AT = 5;
const TAG_RUN = /[\u{e0000}-\u{e007f}]+/gu;
// Characters dropped from `sanitized`: tag characters, bidi embeddings/overrides/isolates, zero-width space,
// word joiner and invisible operators, BOM. Joiners used by emoji and by Indic/Persian scripts are kept.
const DROP_FROM_SANITIZED = /[\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;

interface Hit {
  rule: string;
  severity: 'block' | 'warn';
  start: number;
  end: number;
  excerpt: string;
}

const excerptOf = (s: string) => (s.length > EXCERPT_MAX ? `${s.slice(0, EXCERPT_MAX - 1)}…` : s);

/** Pattern and image matches on a scan form; positions are scan-form indices. */
function matchRules(scan: string, skip?: ReadonlySet<string>): Hit[] {
  const hits: Hit[] = [];
  for (const { rule, severity, pattern } of PATTERN_RULES) {
    if (skip?.has(rule)) continue;
    for (const m of scan.matchAll(pattern)) {
      if (m[0].length === 0) continue;
      hits.push({
        rule,
        severity,
        start: m.index,
        end: m.index + m[0].length,
        excerpt: excerptOf(m[0].trim()),
      });
    }
  }
  const image = (m: RegExpMatchArray, url: string) => {
    const kind = classifyImageUrl(url);
    if (kind === 'none') return;
    const severity = kind === 'exfiltration' ? 'block' : 'warn';
    const rule = kind === 'exfiltration' ? 'markdown_image_exfiltration' : 'remote_image';
    hits.push({
      rule,
      severity,
      start: m.index!,
      end: m.index! + m[0].length,
      excerpt: excerptOf(m[0].trim()),
    });
  };
  for (const m of scan.matchAll(IMAGE_PATTERNS.inline)) image(m, m[1]);
  for (const m of scan.matchAll(IMAGE_PATTERNS.html)) image(m, m[1]);
  const definitions = new Map<string, string>();
  for (const m of scan.matchAll(IMAGE_PATTERNS.definition)) definitions.set(m[1].trim(), m[2]);
  for (const m of scan.matchAll(IMAGE_PATTERNS.reference)) {
    const url = definitions.get((m[2] || m[1]).trim());
    if (url) image(m, url);
  }
  // A warning inside a blocked span says nothing new.
  const blocks = hits.filter((h) => h.severity === 'block');
  return hits.filter(
    (h) => h.severity === 'block' || !blocks.some((b) => b.start < h.end && h.start < b.end),
  );
}

interface Edit {
  start: number;
  end: number;
  replacement: string;
}

/** `text` with the edits applied (overlapping ones merged) and, unless `drop` is false, hidden characters dropped. */
function applyEdits(text: string, edits: Edit[], drop = true): string {
  const keep = (s: string) => (drop ? s.replace(DROP_FROM_SANITIZED, '') : s);
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Edit[] = [];
  for (const e of sorted) {
    const last = merged[merged.length - 1];
    if (last && e.start < last.end) {
      last.end = Math.max(last.end, e.end);
      if (!last.replacement) last.replacement = e.replacement;
    } else merged.push({ ...e });
  }
  let out = '';
  let pos = 0;
  for (const e of merged) {
    out += keep(text.slice(pos, e.start)) + e.replacement;
    pos = e.end;
  }
  return out + keep(text.slice(pos));
}

// The rules' removal marks: taken out before the classifier scores a text (a mark is not the text's own words).
const REMOVED_MARK = /\[removed: [a-z_]+\]/g;

function removeWindows(
  text: string,
  windows: { start: number; end: number }[],
  rule = 'injection_classifier',
): string {
  const edits = windows.map((w) => ({ start: w.start, end: w.end, replacement: `[removed: ${rule}]` }));
  return applyEdits(text, edits);
}

const toOriginal = (n: NormalizedText, h: Hit) => ({ start: n.starts[h.start], end: n.ends[h.end - 1] });

/**
 * Scans a text for prompt injection with the rules and the n-gram classifier. Pure and synchronous; `scan` adds the
 * encoder layer, and events.ts records the decisions.
 */
export function scanText(text: string, opts: ScanOptions = {}): ScanResult {
  const n = normalizeWithMap(text);
  const findings: Finding[] = [];
  const edits: Edit[] = [];

  for (const h of matchRules(n.text, opts.skipRules)) {
    findings.push({ rule: h.rule, severity: h.severity, detector: 'rules', excerpt: h.excerpt });
    if (h.severity === 'block') edits.push({ ...toOriginal(n, h), replacement: `[removed: ${h.rule}]` });
  }

  // ASCII smuggled in Unicode tag characters: decode each run and scan it as text of its own.
  if (n.tagCount > 0) {
    const payloads: string[] = [];
    for (const m of text.matchAll(TAG_RUN)) {
      let decoded = '';
      for (const ch of m[0]) {
        const cp = ch.codePointAt(0)!;
        if (cp >= 0xe0020 && cp <= 0xe007e) decoded += String.fromCharCode(cp - 0xe0000);
      }
      payloads.push(decoded);
      const hidden = matchRules(normalizeForScan(decoded));
      for (const h of hidden)
        findings.push({
          rule: h.rule,
          severity: h.severity,
          detector: 'rules',
          excerpt: excerptOf(`hidden: ${h.excerpt}`),
        });
      const blocked = hidden.find((h) => h.severity === 'block');
      edits.push({
        start: m.index,
        end: m.index + m[0].length,
        replacement: blocked ? `[removed: ${blocked.rule}]` : '',
      });
    }
    const shown = payloads.join(' ').trim();
    findings.push({
      rule: 'hidden_tag_chars',
      severity: 'warn',
      detector: 'rules',
      excerpt: excerptOf(`${n.tagCount} tag characters${shown ? `: ${JSON.stringify(shown)}` : ''}`),
    });
  }
  if (n.invisibleCount >= INVISIBLE_WARN_AT) {
    findings.push({
      rule: 'hidden_invisible_chars',
      severity: 'warn',
      detector: 'rules',
      excerpt: `${n.invisibleCount} invisible characters`,
    });
  }

  // The learned layer scores what the rules left (their removals taken out), in windows; a window at or over the
  // threshold is removed (block) or only reported (warn). So it adds what the rules miss.
  let sanitized = applyEdits(text, edits);
  let classifier: ScanResult['classifier'];
  const mode = opts.classifier ?? 'block';
  if (mode !== 'off') {
    const threshold = classifierThreshold(opts);
    const windows = classifyWindows(sanitized.replace(REMOVED_MARK, ' '), opts.model);
    const top = windows.reduce((m, w) => Math.max(m, w.score), 0);
    classifier = { score: top, threshold };
    const fired = windows.filter((w) => w.score >= threshold);
    if (fired.length) {
      const shown = normalizeForScan(
        sanitized.replace(REMOVED_MARK, ' ').slice(fired[0].start, fired[0].end),
      );
      findings.push({
        rule: 'injection_classifier',
        severity: mode,
        detector: 'classifier',
        score: Number(top.toFixed(4)),
        excerpt: excerptOf(`score ${top.toFixed(3)} ≥ ${threshold}: ${shown}`),
      });
      if (mode === 'block') sanitized = removeWindows(sanitized.replace(REMOVED_MARK, ' '), fired);
    }
  }

  return {
    verdict: verdictOf(findings),
    findings,
    normalized: n.text,
    sanitized,
    ...(classifier ? { classifier } : {}),
  };
}

const verdictOf = (findings: Finding[]): ScanResult['verdict'] =>
  findings.some((f) => f.severity === 'block') ? 'block' : findings.length > 0 ? 'warn' : 'ok';

/**
 * scanText plus the encoder layer, and encoded payloads: every decoded reading of the text (decode.ts: base64, hex,
 * Morse, leetspeak, ROT13…) is scanned with all the layers too. A reading that blocks where the text itself did not
 * (or blocks more) adds a `decoded_<encoding>` finding, and its encoded span is removed before the text is scanned.
 * Asynchronous: onnxruntime runs off the event loop. Throws EncoderUnavailableError when the encoder is on but cannot
 * load.
 */
export async function scan(text: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const translate = opts.translate ?? process.env.FLYWHEEL_INJECTION_TRANSLATE !== 'off';
  const views = opts.decode === false ? [] : decodedViews(text, isVocabularyWord, translate);
  const gloss = views.find((v) => v.encoding === 'translated');
  const glossed = gloss && (await scanLayers(gloss.text, await glossOptions(opts)));
  // The encoder is an English model: on the lines the gloss reads, it blocks only where the gloss agrees (gloss.ts).
  const unconfirmed = (glossed?.encoder?.score ?? 1) < GLOSS_CONFIRM_THRESHOLD;
  const plain = await scanLayers(text, opts, unconfirmed);
  const blocks = (r: ScanResult) => r.findings.filter((f) => f.severity === 'block').length;
  const decoded: Finding[] = [];
  const removals: Edit[] = [];
  for (const view of views) {
    const r = view === gloss && glossed ? glossed : await scanLayers(view.text, opts);
    // A reading that only repeats what the plain text already says adds nothing.
    const f =
      blocks(r) > blocks(plain)
        ? r.findings.find((x) => x.severity === 'block')
        : !blocks(r) && r.verdict === 'warn' && plain.verdict === 'ok'
          ? r.findings.find((x) => x.detector !== 'rules')
          : undefined;
    if (!f) continue;
    const rule = `decoded_${view.encoding}`;
    decoded.push({ ...f, rule, excerpt: excerptOf(`${f.rule}: ${f.excerpt}`) });
    if (f.severity === 'block')
      removals.push({ start: view.start, end: view.end, replacement: `[removed: ${rule}]` });
  }
  if (!decoded.length) return plain;
  const result = removals.length
    ? await scanLayers(applyEdits(text, removals, false), opts, unconfirmed)
    : plain;
  const findings = [...decoded, ...result.findings];
  return { ...result, verdict: verdictOf(findings), findings };
}

/** On a gloss: the encoder's own threshold there (or the one in force if higher), no classifier, some rules skipped. */
async function glossOptions(opts: ScanOptions): Promise<ScanOptions> {
  const own = encoderMode(opts) === 'off' ? 1 : (await loadEncoder()).meta.threshold;
  return {
    ...opts,
    classifier: 'off',
    encoderThreshold: Math.max(encoderThreshold(opts, own), GLOSS_ENCODER_THRESHOLD),
    skipRules: GLOSS_SKIPPED_RULES,
  };
}

/** The setting switches the encoder off everywhere; else the caller's mode, block by default. */
const encoderMode = (opts: ScanOptions) =>
  process.env.FLYWHEEL_INJECTION_ENCODER === 'off' ? 'off' : (opts.encoder ?? 'block');

/** One text through the rules, the classifier and the encoder; `unconfirmed`: the encoder's windows on lines the gloss
 * reads do not count (the gloss did not agree). */
async function scanLayers(text: string, opts: ScanOptions, unconfirmed = false): Promise<ScanResult> {
  const result = scanText(text, opts);
  const mode = encoderMode(opts);
  if (mode === 'off') return result;
  const enc = await loadEncoder();
  const threshold = encoderThreshold(opts, enc.meta.threshold);
  const rest = result.sanitized.replace(REMOVED_MARK, ' ');
  // An option list's entries are not scored (option-lines.ts): the rules and the classifier read them.
  let windows = await encoderWindows(withoutOptionEntries(rest), enc);
  if (unconfirmed) {
    const foreign = glossParts(rest);
    windows = windows.filter((w) => !mostlyWithin(w, foreign));
  }
  const top = windows.reduce((m, w) => Math.max(m, w.score), 0);
  const fired = windows.filter((w) => w.score >= threshold);
  const findings = [...result.findings];
  let sanitized = result.sanitized;
  if (fired.length) {
    const best = fired.reduce((a, b) => (b.score > a.score ? b : a));
    findings.push({
      rule: 'injection_encoder',
      severity: mode,
      detector: 'encoder',
      score: Number(top.toFixed(4)),
      excerpt: excerptOf(
        `score ${top.toFixed(3)} ≥ ${threshold}: ${normalizeForScan(rest.slice(best.start, best.end))}`,
      ),
    });
    if (mode === 'block') sanitized = removeWindows(rest, fired, 'injection_encoder');
  }
  return { ...result, verdict: verdictOf(findings), findings, sanitized, encoder: { score: top, threshold } };
}

/** Whether at least half of a window's characters are inside the spans. */
function mostlyWithin(w: { start: number; end: number }, spans: { start: number; end: number }[]): boolean {
  let inside = 0;
  for (const s of spans) inside += Math.max(0, Math.min(w.end, s.end) - Math.max(w.start, s.start));
  return inside * 2 >= w.end - w.start;
}
