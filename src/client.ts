// The `flywheel` CLI entry.
import { Command, CommanderError } from 'commander';
import { COMMAND_GROUPS } from './cli';
import { EXIT, UserError } from './cli/common';
import pkg from '../package.json';

export async function buildProgram(): Promise<Command> {
  const program = new Command('flywheel')
    .description('Durable, auditable LLM agent harness on Temporal, with a data flywheel.')
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.OK} ok/PASS, ${EXIT.FAIL} FAIL (below threshold), ${EXIT.USAGE} usage or settings error, ` +
        `${EXIT.ERROR} run ERROR, ${EXIT.CANCELLED} cancelled/terminated, ${EXIT.UNAVAILABLE} a service is unreachable.`,
    );
  // Before the groups register: subcommands inherit it, so every usage error exits 2, not 1.
  program.exitOverride();
  for (const load of COMMAND_GROUPS) (await load()).register(program);
  return program;
}

export async function main(argv = process.argv): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT.USAGE;
      return;
    }
    // An option parser's own check (e.g. a number out of range) is a user mistake: its message, no stack trace.
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    throw e;
  }
}

if (require.main === module) {
  void main();
}
