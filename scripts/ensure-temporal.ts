// Makes sure a `temporal` CLI binary is available (cached outside the repo), printing where it came from.
import { resolveTemporalCli, TEMPORAL_CLI_VERSION } from '../src/temporal/binary';

const t0 = Date.now();
resolveTemporalCli()
  .then((cli) => {
    process.stdout.write(
      `temporal CLI v${TEMPORAL_CLI_VERSION}: ${cli.path} (from ${cli.source}, ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  })
  .catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  });
