// Evaluators: is each judge fit to label training data? Status, accuracy with its 95% interval, position
// consistency, length bias and when it was measured (written by `flywheel judge qualify`); drift notices.
import { useApi } from '../use-api';
import { QUALIFICATION_CLASS, fmtRate, fmtTime } from '../format';
import type { Evaluator, EvaluatorsList } from '../types';

export function EvaluatorsPage() {
  const { data, error } = useApi<EvaluatorsList>('/api/evaluators');
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const t = data.thresholds;
  return (
    <section class="evaluators" data-testid="evaluators-page">
      <h1>Evaluators</h1>
      <p class="muted">
        An evaluator is <b>qualified</b> when, on a labelled pair set, the lower bound of its accuracy's 95%
        interval is at least {t.min_accuracy_lower_bound} and its position consistency at least{' '}
        {t.min_position_consistency}. Exports take only runs scored by evaluators qualified at run time.
      </p>
      {data.notices.length > 0 && (
        <ul class="notices" data-testid="evaluator-notices">
          {data.notices.map((n) => (
            <li key={n.notice_id} class="error">
              <b>{n.kind}</b> {n.model && <code>{n.model}</code>} {n.message}{' '}
              <span class="muted">{fmtTime(n.at)}</span>
            </li>
          ))}
        </ul>
      )}
      {data.items.length === 0 ? (
        <p class="muted">No evaluator is configured or measured.</p>
      ) : (
        <table class="data" data-testid="evaluators-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Status</th>
              <th class="num">Accuracy</th>
              <th>95% interval</th>
              <th class="num">Position consistency</th>
              <th>Length bias (acc. shorter / longer better)</th>
              <th>Measured</th>
              <th>Digest</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((e) => (
              <Row key={e.model} e={e} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Row({ e }: { e: Evaluator }) {
  const lb = e.length_bias;
  return (
    <tr data-model={e.model}>
      <td>
        <code>{e.model}</code>
        {e.configured && <small class="muted"> configured</small>}
      </td>
      <td>
        <span class={`badge ${QUALIFICATION_CLASS[e.status] ?? ''}`} title={e.reason ?? ''}>
          {e.status}
        </span>
        {e.status !== 'qualified' && (
          <div class="small muted">
            {e.reason && <span>{e.reason}. </span>}
            <code>{e.qualify_command}</code>
          </div>
        )}
      </td>
      <td class="num">{e.accuracy === null ? '–' : e.accuracy.toFixed(3)}</td>
      <td>
        {e.accuracy_ci95 ? `[${e.accuracy_ci95[0].toFixed(3)}, ${e.accuracy_ci95[1].toFixed(3)}]` : '–'}
      </td>
      <td class="num">{fmtRate(e.position_consistency)}</td>
      <td>
        {lb
          ? `${fmtRate(lb.shorter_better_accuracy)} (n=${lb.shorter_better_n}) / ${fmtRate(lb.longer_better_accuracy)} (n=${lb.longer_better_n})`
          : '–'}
      </td>
      <td>
        {fmtTime(e.at)}
        {e.n_pairs !== null && (
          <small class="muted">
            {' '}
            {e.kind}, {e.n_pairs} pairs{e.pair_set ? ` of ${e.pair_set}` : ''}
          </small>
        )}
      </td>
      <td>
        <code title={e.digest ?? ''}>{e.digest ? e.digest.replace(/^sha256:/, '').slice(0, 12) : '–'}</code>
      </td>
    </tr>
  );
}
