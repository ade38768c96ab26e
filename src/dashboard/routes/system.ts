// /api/system: non-secret settings, harness settings and the live SYNTH_INSTRUCTION values; the governance file
// allowlist (read, and edit where allowed); the skill registry. Also /api/health.
import { createRoute } from '@hono/zod-openapi';
import { publicSettings } from '../../config';
import { loadSynthInstructions } from '../../harness/prompts';
import { RUBRIC } from '../../harness/rubric';
import { listSkills } from '../../skills/registry';
import { router, type DashboardContext } from '../context';
import { allowlist, describe, lookup, readGov, writeGov } from '../governance';
import { maskUrlCredentials } from '../secrets';
import {
  ConfigSchema,
  FileContent,
  FileNameParam,
  FilePut,
  FilesList,
  Health,
  NoQuery,
  SkillsList,
  errors,
  json,
  jsonBody,
} from '../schemas';

const tag = ['system'];
const routes = {
  config: createRoute({
    method: 'get',
    path: '/api/system/config',
    tags: tag,
    summary: 'Non-secret settings, harness settings and the three SYNTH_INSTRUCTION values',
    request: { query: NoQuery },
    responses: { 200: json(ConfigSchema, 'Configuration'), ...errors(400, 401, 403) },
  }),
  files: createRoute({
    method: 'get',
    path: '/api/system/files',
    tags: tag,
    summary: 'The governance file allowlist',
    request: { query: NoQuery },
    responses: { 200: json(FilesList, 'Allowlisted files'), ...errors(400, 401, 403) },
  }),
  read: createRoute({
    method: 'get',
    path: '/api/system/files/{name}',
    tags: tag,
    summary: 'One allowlisted file by name (URL-encode names with a slash: knowledge%2Fx.md)',
    request: { params: FileNameParam },
    responses: { 200: json(FileContent, 'The file'), ...errors(400, 401, 403, 404, 413) },
  }),
  write: createRoute({
    method: 'put',
    path: '/api/system/files/{name}',
    tags: tag,
    summary: 'Replace an editable file atomically; the previous version is kept as <file>.prev',
    request: { params: FileNameParam, body: jsonBody(FilePut) },
    responses: {
      200: json(FileContent, 'The file as written'),
      ...errors(400, 401, 403, 404, 409, 413, 415),
    },
  }),
  skills: createRoute({
    method: 'get',
    path: '/api/system/skills',
    tags: tag,
    summary: 'The skill registry, with which skills have an auto-hook or a prompt override',
    request: { query: NoQuery },
    responses: { 200: json(SkillsList, 'Skills'), ...errors(400, 401, 403) },
  }),
  health: createRoute({
    method: 'get',
    path: '/api/health',
    tags: tag,
    summary: 'Index sizes (and lines skipped as unreadable)',
    request: { query: NoQuery },
    responses: { 200: json(Health, 'Health'), ...errors(400, 401, 403) },
  }),
};

export function systemRoutes(ctx: DashboardContext) {
  const app = router();
  const s = ctx.settings;

  app.openapi(routes.config, (c) => {
    const settings = Object.fromEntries(
      Object.entries(publicSettings(s)).map(([k, v]) => [k, maskUrlCredentials(v)]),
    );
    const b = ctx.binding();
    return c.json(
      {
        settings,
        harness: {
          producer_model: s.FLYWHEEL_PRODUCER_MODEL,
          planner_model: s.plannerModel,
          evaluator_models: s.evaluatorModels,
          embed_model: s.embedModel,
          producer_temperature: s.FLYWHEEL_PRODUCER_TEMPERATURE,
          planner_temperature: s.FLYWHEEL_PLANNER_TEMPERATURE,
          evaluator_temperature: s.FLYWHEEL_EVALUATOR_TEMPERATURE,
          max_rounds: s.FLYWHEEL_MAX_ROUNDS,
          pass_threshold: s.FLYWHEEL_PASS_THRESHOLD,
          num_predict: s.FLYWHEEL_NUM_PREDICT,
          rubric_version: RUBRIC.version,
          rubric_weights: { ...RUBRIC.weights },
          search_provider: s.FLYWHEEL_SEARCH_PROVIDER,
        },
        synth_instructions: loadSynthInstructions(ctx.dataDir),
        dashboard: { host: b.host, port: b.port, token_required: b.token !== undefined },
      },
      200,
    );
  });

  app.openapi(routes.files, (c) =>
    c.json({ items: allowlist(ctx.dataDir).map((f) => describe(ctx.dataDir, f)) }, 200),
  );

  app.openapi(routes.read, async (c) => {
    const f = await lookup(ctx.dataDir, c.req.valid('param').name);
    return c.json(readGov(ctx.dataDir, f), 200);
  });

  app.openapi(routes.write, async (c) => {
    const f = await lookup(ctx.dataDir, c.req.valid('param').name);
    const body = c.req.valid('json');
    const written = writeGov(ctx.dataDir, f, body.content, body.base_version);
    ctx.log.info({ file: f.name, version: written.version }, 'governance file edited from the dashboard');
    return c.json(written, 200);
  });

  app.openapi(routes.skills, (c) =>
    c.json(
      {
        items: listSkills().map((k) => ({
          name: k.name,
          description: k.description,
          auto_hook: k.autoHook,
          prompt_override: k.promptOverride,
          has_auto_hook: k.autoHook !== null,
          has_prompt_override: k.promptOverride !== null,
        })),
      },
      200,
    ),
  );

  app.openapi(routes.health, async (c) => {
    await Promise.all([ctx.runs.refresh(), ctx.events.refresh(), ctx.feedback.refresh()]);
    return c.json(
      {
        ok: true,
        data_dir: ctx.dataDir,
        runs: ctx.runs.rows.length,
        sessions: ctx.runs.sessions.size,
        security_events: ctx.events.rows.length,
        feedback: ctx.feedback.log.indexed,
        skipped_lines: {
          runs: ctx.runs.log.skipped,
          security_events: ctx.events.log.skipped,
          feedback: ctx.feedback.log.skipped,
        },
      },
      200,
    );
  });

  return app;
}
