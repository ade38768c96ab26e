// The dashboard HTTP API (and web page) over the files the workers write: runs, sessions, analytics, memories,
// security events, system settings and governance files. No database of its own: incremental indexes over data/.
import { randomBytes } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { ConfigError, type Settings } from '../config';
import { logger } from '../log';
import { MemoryStore } from '../memory/store';
import type { DashboardContext } from './context';
import { errorBody, onError } from './errors';
import { EventIndex } from './event-index';
import { FeedbackIndex } from './feedback';
import { guard, isLoopback, type Binding } from './guard';
import { refuseDotSegments } from './raw-path';
import { RunIndex } from './run-index';
import { analyticsRoutes } from './routes/analytics';
import { evaluatorRoutes } from './routes/evaluators';
import { memoryRoutes } from './routes/memories';
import { modelRoutes } from './routes/models';
import { runRoutes } from './routes/runs';
import { securityRoutes } from './routes/security';
import { sessionRoutes } from './routes/sessions';
import { systemRoutes } from './routes/system';
import { scrubSecrets, secretValues } from './secrets';
import { DEFAULT_WEB_ROOT, serveWeb } from './static';
import pkg from '../../package.json';

const MAX_BODY_BYTES = 1024 * 1024;
const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
const tooLarge = (c: Context) =>
  c.json(errorBody('payload_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`), 413);

export interface DashboardOptions {
  settings: Settings;
  /** Address the server is (or will be) bound to; default FLYWHEEL_DASHBOARD_HOST / _PORT. */
  host?: string;
  port?: number;
  /** Bearer token; default FLYWHEEL_DASHBOARD_TOKEN, or a fresh one when the host is not loopback. */
  token?: string;
  /** Folder of the built web page; default src/dashboard/web/dist. */
  webRoot?: string;
  log?: Logger;
}

export interface DashboardApp {
  app: OpenAPIHono;
  fetch: (req: Request) => Promise<Response>;
  /** The token requests must carry, when one is required. */
  token: string | undefined;
  /** Host/port the Host header is checked against; startDashboard fills in the real port after listening. */
  binding: Binding;
  /** Warms the indexes (reads the logs once). */
  ready(): Promise<void>;
  close(): void;
}

export function createDashboardApp(opts: DashboardOptions): DashboardApp {
  const { settings } = opts;
  const log = opts.log ?? logger();
  const host = opts.host ?? settings.FLYWHEEL_DASHBOARD_HOST;
  let token = opts.token ?? settings.FLYWHEEL_DASHBOARD_TOKEN;
  if (token === undefined && !isLoopback(host)) token = randomBytes(24).toString('base64url');
  if (token !== undefined && token.length < 16)
    throw new ConfigError('the dashboard token needs at least 16 characters');
  const binding: Binding = {
    host,
    port: opts.port ?? settings.FLYWHEEL_DASHBOARD_PORT,
    token,
    extraHosts: settings.FLYWHEEL_DASHBOARD_ALLOWED_HOSTS ?? [],
  };

  let store: MemoryStore | undefined;
  const ctx: DashboardContext = {
    settings,
    dataDir: settings.dataDir,
    runs: new RunIndex(settings.dataDir),
    events: new EventIndex(settings.dataDir),
    feedback: new FeedbackIndex(settings.dataDir),
    memories: () => (store ??= new MemoryStore(settings.dataDir)),
    binding: () => binding,
    log,
  };

  const secrets = secretValues(settings, process.env, [token]);
  const app = new OpenAPIHono();
  app.use(
    '*',
    scrubSecrets(() => secrets),
  );
  app.use(
    '*',
    guard(() => binding),
  );
  app.use('*', refuseDotSegments());
  app.use('/api/*', async (c, next) => {
    const declared = Number(c.req.header('content-length'));
    if (declared > MAX_BODY_BYTES) {
      // Read (and drop) a moderately large body before answering: closing on unread data resets the connection
      // and the client would see no answer at all.
      if (declared <= DRAIN_MAX_BYTES && c.req.raw.body) for await (const _ of c.req.raw.body);
      return tooLarge(c);
    }
    return next();
  });
  app.use('/api/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge }));
  app.use('/api/*', async (c, next) => {
    const t0 = performance.now();
    await next();
    log.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - t0),
      },
      'dashboard request',
    );
  });

  for (const routes of [
    runRoutes,
    sessionRoutes,
    analyticsRoutes,
    memoryRoutes,
    securityRoutes,
    systemRoutes,
    evaluatorRoutes,
    modelRoutes,
  ])
    app.route('/', routes(ctx));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Required when the server is bound beyond loopback or a token is configured',
  });
  app.doc('/api/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'Flywheel dashboard API',
      version: pkg.version,
      description:
        'Runs, sessions, analytics, memories, security events and system files, read from the data folder.',
    },
    security: token ? [{ bearer: [] }] : [],
  });

  app.use('*', serveWeb(opts.webRoot ?? DEFAULT_WEB_ROOT));
  app.notFound((c) => c.json(errorBody('not_found', 'no such endpoint'), 404));
  app.onError(onError(log));

  return {
    app,
    fetch: async (req) => app.fetch(req),
    token,
    binding,
    ready: async () => {
      await Promise.all([ctx.runs.refresh(), ctx.events.refresh(), ctx.feedback.refresh()]);
    },
    close: () => {
      store?.close();
      store = undefined;
    },
  };
}
