// Records the replay fixtures: `npx tsx test/support/record-histories.ts [--tag T] [scenario …]`. Runs each (or each
// named) scripted scenario
// on a dev server (its own, or FLYWHEEL_TEST_TEMPORAL_ADDRESS) and saves the workflow history as JSON under
// test/fixtures/histories/<scenario>.json, or <scenario>.<tag>.json: after a compatible change, record a tagged
// set and keep the older ones, so both shapes of running workflows keep replaying. Re-record the untagged set
// only after an intentional, incompatible workflow change.
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

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'fixtures', 'histories');

const SCENARIOS: Record<string, (env: ScenarioEnv) => Promise<{ handle: WorkflowHandle }>> = {
  'pass-two-rounds': passAfterTwoRounds,
  'fail-max-rounds': failAfterMaxRounds,
  'error-missing-producer': errorMissingProducer,
  'cancelled-during-synthesis': cancelledDuringSynthesis,
  'pass-with-security-events': passWithSecurityEvents,
};

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
      const { handle } = await run(env);
      const history = await handle.fetchHistory();
      const file = path.join(HISTORIES_DIR, tag ? `${name}.${tag}.json` : `${name}.json`);
      fs.writeFileSync(
        file,
        `${JSON.stringify(temporal.api.history.v1.History.fromObject(history).toJSON(), null, 1)}\n`,
      );
      process.stdout.write(`${path.relative(process.cwd(), file)}: ${history.events?.length} events\n`);
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
