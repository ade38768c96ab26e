// Serves the fuzz target until Ctrl-C, to run schemathesis (or anything else) against it by hand:
//   npx tsx test/fuzz/serve.ts
import { stopOwnServer } from '../support/harness-env';
import { startFuzzTarget } from './target';

async function main() {
  const t = await startFuzzTarget();
  process.stdout.write(
    `dashboard ${t.dash.url}  token ${t.token}\ndata ${t.data.dataDir}\n` +
      `schemathesis run ${t.dash.url}/api/openapi.json -H 'Authorization: Bearer ${t.token}'\n`,
  );
  const stop = async () => {
    await t.close();
    await stopOwnServer();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
