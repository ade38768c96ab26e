// Records the replay fixtures: `npx tsx test/support/record-histories.ts [--tag T] [scenario …]`. Runs each (or each
// named) scripted scenario
// on a dev server (its own, or FLYWHEEL_TEST_TEMPORAL_ADDRESS) and saves the workflow history as JSON under
// test/fixtures/histories/<scenario>.json, or <scenario>.<tag>.json: after a compatible change, record a tagged
// set and keep the older ones, so both shapes of running workflows keep replaying. Re-record the untagged set
// only after an intentional, incompatible workflow change.
// trainWorkflow and promoteLoop need the training environment and a real Ollama: their histories
// (promote-loop*.json) are recorded by test/train.test.ts when FLYWHEEL_RECORD_HISTORIES=1.
// The JSON is protobufjs's own form of the History message (read back with History.fromObject), not the SDK's
// historyToJSON, which fails here because two copies of protobufjs 8 are installed.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { stopOwnServer } from './harness-env';
import { withHarnessEnv } from './harness-checks';
import {
  cancelledDuringSynthesis,
  errorMissingProducer,
  failAfterMaxRounds,
  passAfterTwoRounds,
  passWithSecurityEvents,
  type ScenarioEnv,
} from './harness-scenarios';
import {
  evalTwoTasks,
  judgeQualifyFour,
  litReviewPass,
  rolloutOneTask,
  sweeperAfterTerminate,
  type Recorded,
} from './replay-scenarios';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');
/** The workflow id each history was recorded under (histories recorded before this file replay under their name). */
export const IDS_FILE = path.join(HISTORIES_DIR, 'workflow-ids.json');

type Scenario = (env: ScenarioEnv & { dataDir: string }) => Promise<Recorded | { handle: WorkflowHandle }>;
const SCENARIOS: Record<string, Scenario> = {
  'pass-two-rounds': passAfterTwoRounds,
  'fail-max-rounds': failAfterMaxRounds,
  'error-missing-producer': errorMissingProducer,
  'cancelled-during-synthesis': cancelledDuringSynthesis,
  'pass-with-security-events': passWithSecurityEvents,
  // The other workflow types (children under `<scenario>--<suffix>.json`).
  'lit-review-pass': litReviewPass,
  'rollout-one-task': rolloutOneTask,
  'sweeper-after-terminate': sweeperAfterTerminate,
  'judge-qualify-four': judgeQualifyFour,
  'eval-two-tasks': evalTwoTasks,
};

/** Saves one workflow's history as `<base>[.<tag>].json` and notes the workflow id it ran under. */
export async function saveHistory(base: string, handle: WorkflowHandle, tag?: string): Promise<void> {
  const history = await handle.fetchHistory();
  const file = path.join(HISTORIES_DIR, tag ? `${base}.${tag}.json` : `${base}.json`);
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(
    file,
    `${JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON(), null, 1)}\n`,
  );
  // Workflow code may use its own id (child ids derive from it): replay needs the recorded one.
  const ids = fs.existsSync(IDS_FILE) ? (JSON.parse(fs.readFileSync(IDS_FILE, 'utf8')) as object) : {};
  const all = { ...ids, [path.basename(file, '.json')]: handle.workflowId };
  const sorted = Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(IDS_FILE, `${JSON.stringify(sorted, null, 1)}\n`);
  process.stdout.write(`${path.relative(process.cwd(), file)}: ${history.events?.length} events\n`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const t = args.indexOf('--tag');
  const tag = t >= 0 ? args.splice(t, 2)[1] : undefined;
  if (t >= 0 && !/^[a-z0-9-]+$/.test(tag ?? '')) throw new Error(`--tag "${tag ?? ''}": use a-z, 0-9 and -`);
  const unknown = args.filter((a) => !(a in SCENARIOS));
  if (unknown.length)
    throw new Error(
      `unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`,
    );
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const [name, run] of Object.entries(SCENARIOS)) {
    if (args.length && !args.includes(name)) continue;
    await withHarnessEnv({}, async (env) => {
      const rec: Recorded = await run(env);
      for (const [suffix, handle] of [['', rec.handle] as const, ...Object.entries(rec.more ?? {})])
        await saveHistory(suffix ? `${name}--${suffix}` : name, handle, tag);
    });
  }
  await stopOwnServer();
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
