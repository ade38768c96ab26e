// `flywheel doctor`: is everything Flywheel needs there? A table with a remedy for each failure.
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import type { Settings } from '../config';
import { isOllamaModel } from '../llm/provider';
import { encoderWindows, loadEncoder } from '../security/encoder';
import { GLOSSARY_DIR, loadGlossaries } from '../security/gloss';
import { normalizeHost } from '../ollama';
import { connectClient } from '../temporal/connection';
import { SEARCH_ATTRIBUTES } from '../temporal/search-attributes';
import { action, EXIT, settingsOrExit } from './common';
import { checkModels, isLoopback, ollamaDownRemedy, pullRemedy, settingsModels } from './embedded';

export interface Check {
  name: string;
  status: 'ok' | 'FAIL' | 'skip';
  detail: string;
  remedy?: string;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .exitOverride() // usage errors reach main(), which exits 2
    .description(
      'Check what Flywheel needs: the Temporal server (reachable, namespace, search attributes), Ollama ' +
        "(reachable, every configured model present), the data folder (writable) and the injection scanner's encoder " +
        '(loads and scores). Prints a remedy for each failure.',
    )
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  flywheel doctor\n  OLLAMA_HOST=http://gpu-box:11434 flywheel doctor --json\n' +
        `\nExit codes: ${EXIT.OK} every check passed, ${EXIT.USAGE} bad settings, ${EXIT.UNAVAILABLE} any check failed or was skipped.`,
    )
    .action(action(doctor));
}

async function doctor(opts: { json?: boolean }): Promise<number> {
  const s = settingsOrExit();
  const checks = [
    ...(await temporalChecks(s)),
    ...(await ollamaChecks(s)),
    dataDirCheck(s),
    await encoderCheck(s),
    glossaryCheck(s),
  ];
  if (opts.json) process.stdout.write(`${JSON.stringify({ ok: allOk(checks), checks }, null, 2)}\n`);
  else process.stdout.write(formatTable(checks));
  return allOk(checks) ? EXIT.OK : EXIT.UNAVAILABLE;
}

const allOk = (checks: Check[]) => checks.every((c) => c.status === 'ok');

export function formatTable(checks: Check[]): string {
  const w = (k: 'name' | 'status') => Math.max(k.length, ...checks.map((c) => c[k].length));
  const [nw, sw] = [w('name'), w('status')];
  const row = (a: string, b: string, c: string) => `${a.padEnd(nw)}  ${b.padEnd(sw)}  ${c}`;
  const lines = [row('CHECK', 'STATUS', 'DETAIL')];
  for (const c of checks) {
    lines.push(row(c.name, c.status, c.detail));
    if (c.remedy) lines.push(`${' '.repeat(nw + sw + 4)}fix: ${c.remedy}`);
  }
  const failed = checks.filter((c) => c.status !== 'ok').length;
  lines.push(
    '',
    failed ? `${failed} of ${checks.length} checks did not pass.` : `All ${checks.length} checks passed.`,
  );
  return `${lines.join('\n')}\n`;
}

async function temporalChecks(s: Settings): Promise<Check[]> {
  const startIt = isLoopback(s.TEMPORAL_ADDRESS)
    ? 'start the dev server: `flywheel dev`'
    : `start the Temporal server at ${s.TEMPORAL_ADDRESS}`;
  let client: Client;
  try {
    client = await connectClient(s, 3000);
    await client.connection.withDeadline(Date.now() + 3000, () => client.workflowService.getSystemInfo({}));
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    return [
      {
        name: 'temporal server',
        status: 'FAIL',
        detail: `${s.TEMPORAL_ADDRESS}: ${why.replace(/ Fix:.*$/, '')}`,
        remedy: `${startIt}, or set TEMPORAL_ADDRESS`,
      },
      { name: 'temporal namespace', status: 'skip', detail: 'server unreachable' },
      { name: 'search attributes', status: 'skip', detail: 'server unreachable' },
    ];
  }
  const checks: Check[] = [
    { name: 'temporal server', status: 'ok', detail: `${s.TEMPORAL_ADDRESS} answers` },
  ];
  try {
    const ns = s.TEMPORAL_NAMESPACE;
    try {
      await client.workflowService.describeNamespace({ namespace: ns });
      checks.push({ name: 'temporal namespace', status: 'ok', detail: ns });
    } catch (e) {
      checks.push({
        name: 'temporal namespace',
        status: 'FAIL',
        detail: `${ns}: ${(e as Error).message.split('\n')[0]}`,
        remedy: `\`temporal operator namespace create --namespace ${ns} --address ${s.TEMPORAL_ADDRESS}\`, or set TEMPORAL_NAMESPACE`,
      });
      checks.push({ name: 'search attributes', status: 'skip', detail: 'no namespace' });
      return checks;
    }
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
      namespace: ns,
    });
    const have = customAttributes ?? {};
    const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in have));
    checks.push(
      missing.length
        ? {
            name: 'search attributes',
            status: 'FAIL',
            detail: `missing: ${missing.map((k) => k.name).join(', ')}`,
            remedy: missing
              .map(
                (k) =>
                  `\`temporal operator search-attribute create --namespace ${ns} --name ${k.name} --type ${typeName(k.type)}\``,
              )
              .join('; '),
          }
        : {
            name: 'search attributes',
            status: 'ok',
            detail: SEARCH_ATTRIBUTES.map((k) => k.name).join(', '),
          },
    );
  } finally {
    await client.connection.close();
  }
  return checks;
}

const typeName = (t: string) => ({ KEYWORD: 'Keyword', DOUBLE: 'Double', TEXT: 'Text', INT: 'Int' })[t] ?? t;

async function ollamaChecks(s: Settings): Promise<Check[]> {
  const models = settingsModels(s).filter((m) => isOllamaModel(m.model));
  if (!models.length)
    return [{ name: 'ollama', status: 'ok', detail: 'not used: every model is served elsewhere' }];
  const host = normalizeHost(s.OLLAMA_HOST);
  const check = await checkModels(host, models);
  if (!check.reachable)
    return [
      {
        name: 'ollama',
        status: 'FAIL',
        detail: `${host}: ${check.error ?? 'no answer'}`,
        remedy: ollamaDownRemedy(host).replace(/^No Ollama answers at \S+ Fix: /, ''),
      },
      ...uniqueByModel(models).map((m) => ({
        name: `model ${m.model}`,
        status: 'skip' as const,
        detail: `${m.roles}: Ollama unreachable`,
      })),
    ];
  const missing = new Set(check.missing.map((m) => m.model));
  return [
    { name: 'ollama', status: 'ok', detail: `${host} answers` },
    ...uniqueByModel(models).map((m): Check => {
      const ok = !missing.has(m.model);
      return {
        name: `model ${m.model}`,
        status: ok ? 'ok' : 'FAIL',
        detail: `${m.roles}: ${ok ? 'present' : 'not found'}`,
        remedy: ok ? undefined : pullRemedy(m.model),
      };
    }),
  ];
}

function uniqueByModel(models: { role: string; model: string }[]): { model: string; roles: string }[] {
  const by = new Map<string, string[]>();
  for (const m of models) by.set(m.model, [...new Set([...(by.get(m.model) ?? []), m.role])]);
  return [...by].map(([model, roles]) => ({ model, roles: roles.join(', ') }));
}

function dataDirCheck(s: Settings): Check {
  const probe = path.join(s.dataDir, `.doctor-${process.pid}`);
  try {
    fs.mkdirSync(s.dataDir, { recursive: true });
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
    return { name: 'data folder', status: 'ok', detail: `${s.dataDir} is writable` };
  } catch (e) {
    return {
      name: 'data folder',
      status: 'FAIL',
      detail: `${s.dataDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      remedy: 'make it writable, or set FLYWHEEL_DATA_DIR to a writable folder',
    };
  }
}

async function encoderCheck(s: Settings): Promise<Check> {
  const name = 'injection encoder';
  if (s.FLYWHEEL_INJECTION_ENCODER === 'off')
    return {
      name,
      status: 'ok',
      detail: 'off (FLYWHEEL_INJECTION_ENCODER=off): rules + classifier scan alone',
    };
  try {
    const t0 = performance.now();
    await encoderWindows('Summarise this page.', await loadEncoder());
    return { name, status: 'ok', detail: `loads and scores (${Math.round(performance.now() - t0)} ms)` };
  } catch (e) {
    return {
      name,
      status: 'FAIL',
      detail: (e as Error).message.split(';')[0],
      remedy:
        'reinstall (`npm ci`), or set FLYWHEEL_INJECTION_ENCODER=off to scan with rules + classifier only',
    };
  }
}

function glossaryCheck(s: Settings): Check {
  const name = 'injection glossaries';
  if (s.FLYWHEEL_INJECTION_TRANSLATE === 'off')
    return {
      name,
      status: 'ok',
      detail: 'off (FLYWHEEL_INJECTION_TRANSLATE=off): other languages scanned as written',
    };
  const list = loadGlossaries();
  return list.length
    ? { name, status: 'ok', detail: `${list.length} languages: ${list.map((g) => g.lang).join(' ')}` }
    : {
        name,
        status: 'FAIL',
        detail: `none in ${GLOSSARY_DIR}`,
        remedy:
          'reinstall (`npm ci`), or set FLYWHEEL_INJECTION_TRANSLATE=off to scan other languages as written',
      };
}
