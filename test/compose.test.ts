import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SettingsSchema } from '../src/config';

const ROOT = path.resolve(__dirname, '..');
const COMPOSE = path.join(os.homedir(), '.docker', 'cli-plugins', 'docker-compose');
const DOC = path.join(ROOT, 'README.md');

/** `docker compose config` with no engine: only the compose file, an env file and a clean environment. */
function composeConfig(envFile: string, extra: string[] = []) {
  assert.ok(
    fs.existsSync(COMPOSE),
    `${COMPOSE} is missing. Fix: bash scripts/ensure-docker-compose.sh (builds it from the Go module proxy).`,
  );
  return spawnSync(
    COMPOSE,
    [
      '--project-directory',
      ROOT,
      '-f',
      path.join(ROOT, 'docker-compose.yml'),
      '--env-file',
      envFile,
      'config',
      ...extra,
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: os.homedir() } },
  );
}

interface DocRow {
  service: string;
  ports: { published: string; target: number }[];
  volumes: string[];
}

/** The services table between the compose-services markers in README.md. */
function documentedServices(): DocRow[] {
  const text = fs.readFileSync(DOC, 'utf8');
  const block = text.split('<!-- compose-services:start')[1]?.split('<!-- compose-services:end')[0];
  assert.ok(block, 'README.md has the compose-services table');
  return block
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      const [, service, , ports, volumes] = cells;
      return {
        service: service.replace(/`/g, ''),
        ports: [...ports.matchAll(/(\d+) → (\d+)/g)].map((m) => ({ published: m[1], target: Number(m[2]) })),
        volumes: [...volumes.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
      };
    });
}

describe('docker-compose.yml', () => {
  const rendered = composeConfig(path.join(ROOT, '.env.example'), ['--format', 'json']);

  test('docker compose config accepts the stack with .env.example', () => {
    assert.equal(rendered.status, 0, rendered.stderr);
  });

  const config = rendered.status === 0 ? (JSON.parse(rendered.stdout) as any) : { services: {}, volumes: {} };

  test('the services, published ports and named volumes are the ones README.md documents', () => {
    const doc = documentedServices();
    assert.deepEqual(Object.keys(config.services).sort(), doc.map((d) => d.service).sort());
    for (const row of doc) {
      const svc = config.services[row.service];
      const ports = (svc.ports ?? []).map((p: any) => ({ published: String(p.published), target: p.target }));
      assert.deepEqual(ports, row.ports, `ports of ${row.service}`);
      const named = (svc.volumes ?? []).filter((v: any) => v.type === 'volume').map((v: any) => v.source);
      assert.deepEqual(named.sort(), row.volumes.sort(), `volumes of ${row.service}`);
    }
    const allNamed = [...new Set(doc.flatMap((d) => d.volumes))].sort();
    assert.deepEqual(Object.keys(config.volumes).sort(), allNamed);
  });

  test('ports are published on 127.0.0.1 unless FLYWHEEL_PUBLISH_IP says otherwise', () => {
    for (const [name, svc] of Object.entries<any>(config.services))
      for (const p of svc.ports ?? []) assert.equal(p.host_ip, '127.0.0.1', name);
  });

  test('every long-running service with a port or a database has a health check', () => {
    for (const name of ['postgresql', 'temporal', 'ollama', 'searxng', 'dashboard'])
      assert.ok(config.services[name].healthcheck?.test?.length, `${name} has a healthcheck`);
  });

  test('Temporal runs on PostgreSQL and starts only after its schema setup succeeded', () => {
    const t = config.services.temporal;
    assert.match(t.image, /^temporalio\/server:/);
    assert.equal(t.environment.DB, 'postgres12');
    assert.equal(t.environment.POSTGRES_SEEDS, 'postgresql');
    assert.equal(t.depends_on['temporal-admin-tools'].condition, 'service_completed_successfully');
    assert.match(config.services['temporal-ui'].image, /^temporalio\/ui:/);
    for (const script of ['setup-postgres.sh', 'create-namespace.sh'])
      assert.ok(fs.existsSync(path.join(ROOT, 'deploy', 'temporal', script)), script);
  });

  test('the Flywheel services share the data volume and its work/ volume, reach each other by service name and have valid settings', () => {
    const roles: Record<string, string | undefined> = {};
    for (const name of ['audit-worker', 'worker', 'dashboard']) {
      const svc = config.services[name];
      assert.equal(svc.build.dockerfile, 'Dockerfile');
      assert.deepEqual(
        svc.volumes.map((v: any) => [v.source, v.target]),
        [
          ['flywheel-data', '/data'],
          ['flywheel-work', '/data/work'],
        ],
      );
      const env = svc.environment as Record<string, string>;
      assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.equal(env.OLLAMA_HOST, 'http://ollama:11434');
      const picked = Object.fromEntries(Object.keys(SettingsSchema.shape).map((k) => [k, env[k]]));
      const parsed = SettingsSchema.safeParse(picked);
      assert.ok(parsed.success, `${name}: ${JSON.stringify(parsed.error?.issues)}`);
      roles[name] = env.FLYWHEEL_WORKER_ROLE;
    }
    assert.deepEqual(roles, { 'audit-worker': 'audit', worker: 'stages', dashboard: undefined });
    assert.deepEqual(config.services.worker.command, ['worker']);
    assert.deepEqual(config.services.dashboard.command.slice(0, 3), ['dashboard', '--host', '0.0.0.0']);
  });

  test('SearXNG is configured to answer in JSON, the format Flywheel reads', () => {
    const mount = config.services.searxng.volumes.find((v: any) => v.target === '/etc/searxng/settings.yml');
    assert.ok(mount, 'settings.yml is mounted');
    const settings = fs.readFileSync(mount.source, 'utf8');
    const formats = settings.match(/^ {2}formats:\n((?: {4}- \w+\n)+)/m);
    assert.ok(formats, 'search.formats is a list');
    assert.ok(formats[1].includes('- json'));
  });

  test('secrets have no defaults: without them docker compose config refuses and names the variable', () => {
    const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fw-')), 'empty.env');
    fs.writeFileSync(empty, '');
    const res = composeConfig(empty, ['-q']);
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /POSTGRES_PASSWORD|SEARXNG_SECRET|FLYWHEEL_DASHBOARD_TOKEN/);
  });

  test('the image is multi-stage on node:20-slim and runs as a non-root user', () => {
    const df = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    assert.equal((df.match(/^FROM node:20-slim AS \w+/gm) ?? []).length, 2);
    assert.match(df, /^USER node$/m);
    assert.match(df, /^ENTRYPOINT \["node", "bin\/flywheel\.js"\]$/m);
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['.env', 'node_modules', 'data'])
      assert.ok(ignored.includes(p), `.dockerignore has ${p}`);
  });
});
