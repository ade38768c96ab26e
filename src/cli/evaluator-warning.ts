// `flywheel run`'s one warning, before it starts, about evaluators whose scores are not trusted labels yet.
import { qualifyCommand } from '../flywheel/qualified';
import { modelDigest, readQualifications, statusOf, type RunQualification } from '../judge/qualification';

/** The warning for evaluators that are unqualified or unknown now (this data folder, the current digest), or null. */
export async function evaluatorWarning(
  dataDir: string,
  ollamaHost: string,
  evaluators: string[],
): Promise<string | null> {
  const all = await readQualifications(dataDir);
  const bad: [string, RunQualification][] = [];
  for (const model of [...new Set(evaluators)]) {
    const q = statusOf(all, model, { digest: await modelDigest(ollamaHost, model, 3000) });
    if (q.status !== 'qualified') bad.push([model, q]);
  }
  if (!bad.length) return null;
  const lines = bad.map(
    ([m, q]) =>
      `  ${m}: ${q.status}${q.reason ? ` (${q.reason})` : ''}` +
      `${q.accuracy !== null ? `, accuracy ${q.accuracy.toFixed(2)}` : ''} → \`${qualifyCommand([m])}\``,
  );
  return (
    `Evaluator${bad.length > 1 ? 's' : ''} not qualified: this run's scores will not be trusted labels ` +
    '(exports leave such runs out unless --allow-unqualified):\n' +
    lines.join('\n')
  );
}
