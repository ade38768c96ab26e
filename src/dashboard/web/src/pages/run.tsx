// One run: scores per round, the stage timeline, output beside the round-1 draft, links out, human feedback.
import { useState } from 'preact/hooks';
import { api, getToken } from '../api';
import { useApi } from '../use-api';
import { href } from '../router';
import { ScoreChart } from '../components/score-chart';
import { Timeline, type TraceEvent } from '../components/timeline';
import { FeedbackForm } from '../components/feedback-form';
import { openInPerfetto } from '../perfetto';
import {
  QUALIFICATION_CLASS,
  STATUS_CLASS,
  fmtDuration,
  fmtInt,
  fmtScore,
  fmtTime,
  lastScore,
} from '../format';
import type { RunDetail, RunRecord, SystemConfig, TextFile } from '../types';

export function RunPage({ runId }: { runId: string }) {
  const { data, error, reload } = useApi<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`);
  const config = useApi<SystemConfig>('/api/system/config');
  const threshold = Number(config.data?.harness.pass_threshold ?? 8);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const r = data.run;
  return (
    <section class="run" data-testid="run-page">
      <p class="crumbs">
        <a href="#/runs">Runs</a> / <code>{r.run_id}</code>
      </p>
      <h1>{r.task}</h1>
      <div class="facts">
        <span class={`badge big ${STATUS_CLASS[r.final] ?? ''}`} data-testid="run-status">
          {r.final}
        </span>
        <Fact label="score" value={fmtScore(lastScore(r.wiggum_scores))} />
        <Fact label="rounds" value={String(r.wiggum_rounds)} />
        <Fact label="duration" value={fmtDuration(r.run_duration_s)} />
        <Fact label="producer" value={r.producer_model} />
        <Fact label="evaluators" value={r.evaluator_models.join(', ')} />
        <Fact label="tokens in/out" value={`${fmtInt(r.input_tokens)} / ${fmtInt(r.output_tokens)}`} />
        <Fact label="started" value={fmtTime(r.started_at)} />
        <span class="fact">
          <small>session</small>
          <a href={href(['runs'], { session: data.summary.session })} data-testid="session-link">
            {data.summary.session === r.run_id ? 'this run only' : data.summary.session}
          </a>
        </span>
      </div>
      {r.error && (
        <p class="error">
          {r.failed_stage && !r.error.startsWith(`${r.failed_stage}:`) ? `${r.failed_stage}: ` : ''}
          {r.error}
        </p>
      )}
      <div class="links">
        <a
          class="button"
          href={data.links.temporal_ui}
          target="_blank"
          rel="noreferrer"
          data-testid="temporal-link"
        >
          Open in Temporal UI
        </a>
        {data.links.trace && <TraceLinks url={data.links.trace} runId={r.run_id} />}
      </div>

      <h2>Scores per round</h2>
      <UntrustedScores run={r} />
      <ScoreChart dimensions={r.wiggum_dimensions} composites={r.wiggum_scores} threshold={threshold} />
      <EvaluatorTable run={r} />

      <h2>Stage timeline</h2>
      {data.links.trace ? (
        <TraceTimeline url={data.links.trace} />
      ) : (
        <p class="muted">No trace for this run.</p>
      )}
      <StageTable stages={r.stages} />

      <h2>Output and round-1 draft</h2>
      <div class="side-by-side">
        <TextPane title="Final output" file={data.output} testId="run-output" />
        <TextPane title="Round-1 draft" file={data.draft} testId="run-draft" />
      </div>

      {r.tool_calls.length > 0 && (
        <>
          <h2>Searches</h2>
          <table class="data">
            <thead>
              <tr>
                <th>Query</th>
                <th class="num">Results</th>
                <th class="num">Novelty</th>
              </tr>
            </thead>
            <tbody>
              {r.tool_calls.map((t, i) => (
                <tr key={i}>
                  <td>{t.query}</td>
                  <td class="num">{t.urls.length}</td>
                  <td class="num">{fmtScore(t.novelty_score)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h2>Human ratings</h2>
      <p class="muted" data-testid="run-feedback-stats">
        {data.feedback.count === 0
          ? 'Not rated yet.'
          : `${data.feedback.count} rating(s), mean ${fmtScore(data.feedback.mean)}`}
      </p>
      {data.feedback.items.length > 0 && (
        <ul class="feedback-list">
          {data.feedback.items.slice(-10).map((f, i) => (
            <li key={i}>
              <b>{f.rating}</b>/10 <span class="muted">{fmtTime(f.ts)}</span> {f.comment}
            </li>
          ))}
        </ul>
      )}
      <FeedbackForm
        testId="run-feedback"
        onSubmit={(rating, comment) =>
          api(`/api/runs/${encodeURIComponent(r.run_id)}/feedback`, {
            method: 'POST',
            body: { rating, comment },
          }).then(reload)
        }
      />
    </section>
  );
}

const statusOf = (r: RunRecord, model: string) => r.evaluator_qualifications?.[model]?.status ?? 'unknown';

/** Marks the scores of evaluators that were not qualified when the run started. */
function UntrustedScores({ run }: { run: RunRecord }) {
  const scored = [...new Set(run.evaluator_scores.filter((e) => e.composite !== null).map((e) => e.model))];
  const bad = scored.filter((m) => statusOf(run, m) !== 'qualified');
  if (!bad.length) return null;
  return (
    <p class="warn-text" data-testid="unqualified-scores">
      Scores from {bad.map((m) => `${m} (${statusOf(run, m)})`).join(', ')}: evaluator not qualified at run
      time, so these scores are not trusted labels (exports leave this run out). See{' '}
      <a href="#/evaluators">Evaluators</a>.
    </p>
  );
}

/** Each evaluator's score (or error) per round, with its qualification as of the run. */
function EvaluatorTable({ run }: { run: RunRecord }) {
  const models = [...new Set([...run.evaluator_models, ...run.evaluator_scores.map((e) => e.model)])];
  const rounds = [...new Set(run.evaluator_scores.map((e) => e.round))].sort((a, b) => a - b);
  if (!models.length || !rounds.length) return null;
  return (
    <table class="data compact" data-testid="evaluator-scores">
      <thead>
        <tr>
          <th>Evaluator</th>
          <th>Qualification at run time</th>
          {rounds.map((n) => (
            <th key={n} class="num">
              Round {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {models.map((m) => {
          const q = run.evaluator_qualifications?.[m];
          const status = statusOf(run, m);
          return (
            <tr key={m} data-model={m} data-qualification={status}>
              <td>
                <code>{m}</code>
              </td>
              <td>
                <span class={`badge ${QUALIFICATION_CLASS[status] ?? ''}`} title={q?.reason ?? ''}>
                  {status}
                </span>
                {q?.accuracy != null && <small class="muted"> accuracy {q.accuracy.toFixed(2)}</small>}
              </td>
              {rounds.map((n) => {
                const e = run.evaluator_scores.find((x) => x.model === m && x.round === n);
                return (
                  <td
                    key={n}
                    class={`num${status !== 'qualified' && e?.composite != null ? ' untrusted' : ''}`}
                    title={e?.error ?? ''}
                  >
                    {e ? (
                      e.composite === null ? (
                        <span class="bad-text">error</span>
                      ) : (
                        fmtScore(e.composite)
                      )
                    ) : (
                      '–'
                    )}
                    {status !== 'qualified' && e?.composite != null && (
                      <sup title="evaluator not qualified">†</sup>
                    )}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <span class="fact">
      <small>{label}</small>
      <b>{value}</b>
    </span>
  );
}

function TextPane({ title, file, testId }: { title: string; file: TextFile | null; testId: string }) {
  return (
    <article>
      <h3>
        {title} {file && <small class="muted">{file.path}</small>}
      </h3>
      <pre class="doc" data-testid={testId}>
        {file ? file.text : '(none)'}
      </pre>
      {file?.truncated && <p class="muted small">Shown in part ({fmtInt(file.bytes)} bytes in all).</p>}
    </article>
  );
}

function TraceLinks({ url, runId }: { url: string; runId: string }) {
  const [error, setError] = useState<string>();
  const fetchTrace = async () => {
    const headers: Record<string, string> = {};
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`trace: ${res.status}`);
    return res.arrayBuffer();
  };
  const download = async () => {
    const blob = new Blob([await fetchTrace()], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${runId}.trace.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };
  return (
    <>
      <button
        type="button"
        data-testid="perfetto-link"
        title="Opens ui.perfetto.dev and hands it this run's trace"
        onClick={() => {
          fetchTrace()
            .then((buf) => openInPerfetto(buf, `flywheel run ${runId}`))
            .catch((e: Error) => setError(e.message));
        }}
      >
        Open in Perfetto
      </button>
      <a
        class="button subtle"
        href={`${url}?download=1`}
        download={`${runId}.trace.json`}
        data-testid="trace-download"
        onClick={(e) => {
          // With a token the plain link would be refused: fetch with the header and save the blob instead.
          if (!getToken()) return;
          e.preventDefault();
          download().catch((err: Error) => setError(err.message));
        }}
      >
        Download trace JSON
      </a>
      {error && <span class="error">{error}</span>}
    </>
  );
}

function TraceTimeline({ url }: { url: string }) {
  const { data, error } = useApi<{ traceEvents: TraceEvent[] }>(url);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading trace…</p>;
  return <Timeline events={data.traceEvents} />;
}

function StageTable({ stages }: { stages: RunRecord['stages'] }) {
  const rows = Object.entries(stages);
  if (rows.length === 0) return null;
  return (
    <table class="data compact" data-testid="stage-table">
      <thead>
        <tr>
          <th>Stage</th>
          <th class="num">Duration</th>
          <th class="num">Tokens in</th>
          <th class="num">Tokens out</th>
          <th class="num">Attempts</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, s]) => (
          <tr key={name}>
            <td>{name}</td>
            <td class="num">{fmtDuration(s.duration_s)}</td>
            <td class="num">{fmtInt(s.input_tokens)}</td>
            <td class="num">{fmtInt(s.output_tokens)}</td>
            <td class="num">{s.attempts}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
