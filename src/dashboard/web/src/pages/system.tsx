// System: non-secret settings, the SYNTH_INSTRUCTION values, the governance files (edit and save), the skills.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { useApi } from '../use-api';
import { fmtTime } from '../format';
import type { FileContent, FileInfo, Skill, SystemConfig } from '../types';

export function SystemPage() {
  const config = useApi<SystemConfig>('/api/system/config');
  const files = useApi<{ items: FileInfo[] }>('/api/system/files');
  const skills = useApi<{ items: Skill[] }>('/api/system/skills');
  return (
    <section class="system">
      <h1>System</h1>
      <h2>Governance files</h2>
      {files.error && <p class="error">{files.error}</p>}
      {files.data && <FileEditor files={files.data.items} onSaved={config.reload} />}

      <h2>SYNTH_INSTRUCTION values</h2>
      {config.data && (
        <dl class="kv" data-testid="synth-values">
          {Object.entries(config.data.synth_instructions).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}

      <h2>Skills</h2>
      {skills.error && <p class="error">{skills.error}</p>}
      {skills.data && skills.data.items.length === 0 && <p class="muted">No skills are registered.</p>}
      {skills.data && skills.data.items.length > 0 && (
        <table class="data" data-testid="skills-table">
          <thead>
            <tr>
              <th>Skill</th>
              <th>What it does</th>
              <th>Auto-hook</th>
              <th>Prompt override</th>
            </tr>
          </thead>
          <tbody>
            {skills.data.items.map((s) => (
              <tr key={s.name}>
                <td>
                  <code>{s.name}</code>
                </td>
                <td>{s.description}</td>
                <td>
                  {s.auto_hook ? <code title="runs when a task matches">{s.auto_hook.pattern}</code> : 'no'}
                </td>
                <td>
                  {s.prompt_override ? (
                    <span title={s.prompt_override.text}>yes, {s.prompt_override.stage}</span>
                  ) : (
                    'no'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Settings</h2>
      {config.error && <p class="error">{config.error}</p>}
      {config.data && (
        <div class="two-col">
          <KeyValues title="Environment settings" values={config.data.settings} testId="settings" />
          <div>
            <KeyValues title="Harness" values={config.data.harness} testId="harness-settings" />
            <p class="muted small">
              Dashboard on {config.data.dashboard.host}:{config.data.dashboard.port},{' '}
              {config.data.dashboard.token_required ? 'token required' : 'no token (loopback only)'}.
            </p>
          </div>
        </div>
      )}
    </section>
  );
}

function KeyValues({
  title,
  values,
  testId,
}: {
  title: string;
  values: Record<string, unknown>;
  testId: string;
}) {
  return (
    <div class="panel">
      <h3>{title}</h3>
      <table class="data compact" data-testid={testId}>
        <tbody>
          {Object.entries(values).map(([k, v]) => (
            <tr key={k}>
              <th>{k}</th>
              <td>
                <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FileEditor({ files, onSaved }: { files: FileInfo[]; onSaved: () => void }) {
  const [name, setName] = useState(files[0]?.name ?? '');
  if (files.length === 0) return <p class="muted">No governance files are configured.</p>;
  return (
    <div class="files" data-testid="file-editor">
      <ul class="file-list">
        {files.map((f) => (
          <li key={f.name}>
            <button
              type="button"
              class={f.name === name ? 'active' : ''}
              data-file={f.name}
              title={f.description}
              onClick={() => setName(f.name)}
            >
              {f.name}
              <small>{f.editable ? (f.exists ? 'editable' : 'new') : 'read-only'}</small>
            </button>
          </li>
        ))}
      </ul>
      {name && <OneFile key={name} name={name} onSaved={onSaved} />}
    </div>
  );
}

function OneFile({ name, onSaved }: { name: string; onSaved: () => void }) {
  const { data, error, reload } = useApi<FileContent>(`/api/system/files/${encodeURIComponent(name)}`);
  const [text, setText] = useState<string | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; msg: string }>();
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const value = text ?? data.content;
  return (
    <form
      class="file panel"
      onSubmit={(e) => {
        e.preventDefault();
        api<FileContent>(`/api/system/files/${encodeURIComponent(name)}`, {
          method: 'PUT',
          body: { content: value, base_version: data.version },
        })
          .then(() => {
            setText(null);
            setStatus({ ok: true, msg: 'Saved.' });
            reload();
            onSaved();
          })
          .catch((err: Error) => setStatus({ ok: false, msg: err.message }));
      }}
    >
      <h3>{data.name}</h3>
      <p class="muted small">
        {data.description} · <code>data/{data.path}</code>
        {data.updated_at ? ` · changed ${fmtTime(data.updated_at)}` : data.exists ? '' : ' · not created yet'}
        {data.editable ? '' : ' · read-only'}
        {data.has_previous ? ' · previous version kept' : ''}
      </p>
      {data.format === 'synth_instructions' && (
        <p class="muted small">
          JSON with SYNTH_INSTRUCTION, SYNTH_INSTRUCTION_REVISE and SYNTH_INSTRUCTION_FORMAT; the next run
          reads it.
        </p>
      )}
      <textarea
        name="content"
        rows={16}
        spellcheck={false}
        readOnly={!data.editable}
        value={value}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      {data.editable && (
        <div class="row">
          <button type="submit" disabled={text === null}>
            Save
          </button>
          <button type="button" class="subtle" disabled={text === null} onClick={() => setText(null)}>
            Revert
          </button>
          {status && <span class={status.ok ? 'ok-text' : 'error'}>{status.msg}</span>}
        </div>
      )}
    </form>
  );
}
