// The page shell: navigation, the token prompt (non-loopback binds) and the hash-routed pages.
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized, setToken } from './api';
import { useRoute } from './router';
import { RunsPage } from './pages/runs';
import { RunPage } from './pages/run';
import { MemoriesPage } from './pages/memories';
import { SecurityPage } from './pages/security';
import { SystemPage } from './pages/system';
import { EvaluatorsPage } from './pages/evaluators';
import { ModelsPage } from './pages/models';

const NAV: [string, string][] = [
  ['runs', 'Runs'],
  ['memories', 'Memories'],
  ['security', 'Security'],
  ['evaluators', 'Evaluators'],
  ['models', 'Models'],
  ['system', 'System'],
];

export function App() {
  const route = useRoute();
  const [needToken, setNeedToken] = useState(false);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedToken(true)), []);
  const section = route.parts[0] ?? 'runs';
  return (
    <div class="shell">
      <header>
        <a class="brand" href="#/runs">
          Flywheel
        </a>
        <nav>
          {NAV.map(([key, label]) => (
            <a key={key} href={`#/${key}`} class={section === key ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
      </header>
      {needToken && (
        <TokenPrompt
          onDone={(t) => {
            setToken(t);
            setNeedToken(false);
            setEpoch((e) => e + 1);
          }}
        />
      )}
      <main key={epoch}>{page(section, route.parts, route.query)}</main>
    </div>
  );
}

function page(section: string, parts: string[], query: URLSearchParams) {
  switch (section) {
    case 'runs':
      return parts[1] ? <RunPage runId={parts[1]} /> : <RunsPage query={query} />;
    case 'memories':
      return <MemoriesPage selected={parts[1]} />;
    case 'security':
      return <SecurityPage query={query} />;
    case 'system':
      return <SystemPage />;
    case 'evaluators':
      return <EvaluatorsPage />;
    case 'models':
      return <ModelsPage />;
    default:
      return <p class="error">No page at #/{parts.join('/')}.</p>;
  }
}

function TokenPrompt({ onDone }: { onDone: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="token-prompt panel"
      data-testid="token-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onDone(value.trim());
      }}
    >
      <h2>Access token needed</h2>
      <p>
        This dashboard is bound to a non-loopback address and asks for the bearer token printed when it
        started (or set as FLYWHEEL_DASHBOARD_TOKEN).
      </p>
      <input
        type="password"
        name="token"
        autocomplete="off"
        placeholder="token"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit">Use token</button>
    </form>
  );
}
