// Models: does training on our exports help? Battery score by model generation (with each generation's interval
// against its baseline), the training-distribution gap (overfit signal), tuned models with their lineage, and the
// promotion gate's decisions. Written by `flywheel train`, `flywheel eval` and `flywheel promote`.
import { batteryPlotSvg, plotPoints } from '../battery-plot';
import { fmtRate, fmtScore, fmtTime } from '../format';
import { useApi } from '../use-api';
import type { ModelsView } from '../types';

const ci = (c: [number, number] | null) => (c ? `[${c[0].toFixed(2)}, ${c[1].toFixed(2)}]` : '–');
const signed = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(2)}`);

export function ModelsPage() {
  const { data, error } = useApi<ModelsView>('/api/models');
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  return (
    <section class="models" data-testid="models-page">
      <h1>Models</h1>
      <p class="muted">
        Each point is a battery eval (<code>flywheel eval</code>), in time order: the model's mean composite
        on the held-out battery; the bar is the 95% bootstrap interval of its paired difference against its
        baseline, drawn from the baseline's mean. A bar wholly above the previous point's level is a real
        gain.
      </p>
      <div
        class="plot"
        data-testid="battery-plot"
        dangerouslySetInnerHTML={{ __html: batteryPlotSvg(plotPoints(data.evals)) }}
      />
      <h2>Battery evals</h2>
      {data.evals.length === 0 ? (
        <p class="muted">
          No battery evals yet: <code>flywheel eval --model &lt;producer&gt; --battery &lt;name&gt;</code>.
        </p>
      ) : (
        <table class="data" data-testid="evals-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Battery</th>
              <th>Model</th>
              <th>Baseline</th>
              <th class="num">Mean composite</th>
              <th class="num">Pass rate</th>
              <th class="num">Δ vs baseline</th>
              <th>95% interval</th>
              <th class="num">Overfit gap</th>
            </tr>
          </thead>
          <tbody>
            {data.evals.map((e) => (
              <tr key={e.eval_id} data-eval={e.eval_id}>
                <td>{fmtTime(e.at)}</td>
                <td>{e.battery}</td>
                <td>
                  <code>{e.model}</code>
                  {e.allow_unqualified && <small class="error"> unqualified evaluators</small>}
                </td>
                <td>{e.baseline ? <code>{e.baseline}</code> : '–'}</td>
                <td class="num">{fmtScore(e.mean_composite)}</td>
                <td class="num">{fmtRate(e.pass_rate)}</td>
                <td class="num">{signed(e.diff_mean)}</td>
                <td>{ci(e.diff_ci95)}</td>
                <td
                  class="num"
                  title="training-sample mean − battery mean: large means it fits what it trained on"
                >
                  {signed(e.overfit_gap)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Tuned models</h2>
      {data.models.length === 0 ? (
        <p class="muted">
          No tuned model yet:{' '}
          <code>flywheel train sft --dataset &lt;export dir&gt; --base &lt;model&gt;</code>.
        </p>
      ) : (
        <table class="data" data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Base</th>
              <th>Kind</th>
              <th class="num">Steps</th>
              <th class="num">Final loss</th>
              <th class="num">Tokens/s</th>
              <th class="num">Rows</th>
              <th>Dataset card</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {data.models.map((m) => (
              <tr key={m.name} data-model={m.name}>
                <td>
                  <code>{m.name}</code>
                  {m.resumed_from && <small class="muted"> resumed</small>}
                </td>
                <td>
                  <code>{m.base}</code>
                </td>
                <td>{m.kind}</td>
                <td class="num">{m.steps}</td>
                <td class="num">{m.final_loss === null ? '–' : m.final_loss.toFixed(3)}</td>
                <td class="num">{m.tokens_per_s === null ? '–' : m.tokens_per_s.toFixed(1)}</td>
                <td class="num">{m.dataset_rows}</td>
                <td>
                  <code title={m.dataset_card_sha256 ?? ''}>
                    {m.dataset_card_sha256?.slice(0, 12) ?? '–'}
                  </code>
                </td>
                <td>{fmtTime(m.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Promotions</h2>
      {data.promotions.length === 0 ? (
        <p class="muted">
          No promotion decision yet (<code>flywheel promote</code>).
        </p>
      ) : (
        <ul data-testid="promotions">
          {data.promotions.map((p) => (
            <li key={`${p.at}-${p.model}`} class={p.promote ? '' : 'error'}>
              <b>{p.promote ? 'promoted' : 'not promoted'}</b> <code>{p.model}</code> → <code>{p.alias}</code>{' '}
              <span class="muted">{fmtTime(p.at)}</span>
              {p.reasons.length > 0 && <span>: {p.reasons.join('; ')}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
