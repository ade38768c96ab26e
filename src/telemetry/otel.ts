// Optional OpenTelemetry export (FLYWHEEL_OTEL_ENDPOINT): Temporal's interceptors for workflow/activity spans,
// plus one GenAI span per LLM call (OTel GenAI semantic-convention names), sent over OTLP/HTTP.
import { context, trace, SpanKind, SpanStatusCode, type Context as OtelContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptors,
  InjectedSinks,
  Next,
} from '@temporalio/worker';
import type { Settings } from '../config';
import { resolveModel } from '../llm/provider';
import { llmCallScope, type LlmCallRecord } from '../llm/recorder';

/** The workflow-side interceptor module, bundled into the workflow code only when export is on. */
export const OTEL_WORKFLOW_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export interface Otel {
  endpoint: string;
  /** Outermost: opens the Temporal `RunActivity:<type>` span. */
  outerActivity: (ctx: ActivityContext) => ActivityInterceptors;
  /** Innermost: one GenAI client span per LLM call, child of the activity span. */
  innerActivity: (ctx: ActivityContext) => ActivityInterceptors;
  sinks: InjectedSinks<any>;
  /** Sends pending spans now (the exporter batches every few seconds). */
  flush(): Promise<void>;
}

/** `k=v,k2=v2` (values may be URL-encoded, as in OTEL_EXPORTER_OTLP_HEADERS) → headers. */
export function parseOtelHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** The OTel GenAI attributes of one LLM call. */
export function genAiAttributes(rec: LlmCallRecord): Record<string, string | number | boolean> {
  const { provider, name } = resolveModel(rec.model);
  const attrs: Record<string, string | number | boolean> = {
    'gen_ai.operation.name': rec.op === 'chat' ? 'chat' : 'embeddings',
    'gen_ai.provider.name': provider,
    'gen_ai.system': provider,
    'gen_ai.request.model': name,
    'gen_ai.usage.input_tokens': rec.inputTokens,
    'gen_ai.usage.output_tokens': rec.outputTokens,
    'flywheel.load_ms': rec.loadMs,
  };
  if (rec.purpose) attrs['flywheel.purpose'] = rec.purpose;
  if (!rec.ok) attrs['error.type'] = 'llm_error';
  return attrs;
}

class GenAiSpans implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
    const outer = llmCallScope.getStore();
    const parent: OtelContext = context.active();
    const tracer = trace.getTracer('flywheel');
    const push = (rec: LlmCallRecord) => {
      outer?.push(rec);
      const attrs = genAiAttributes(rec);
      const span = tracer.startSpan(
        `${attrs['gen_ai.operation.name']} ${attrs['gen_ai.request.model']}`,
        { kind: SpanKind.CLIENT, startTime: rec.startMs, attributes: attrs },
        parent,
      );
      if (!rec.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: rec.error });
      span.end(rec.endMs);
    };
    return llmCallScope.run({ push }, () => next(input));
  }
}

let current: Otel | undefined;

/** Starts the exporter once per process (a global tracer provider); undefined when the endpoint is unset. */
export function startOtel(
  s: Pick<Settings, 'FLYWHEEL_OTEL_ENDPOINT' | 'FLYWHEEL_OTEL_HEADERS'>,
  serviceName = 'flywheel-worker',
): Otel | undefined {
  if (!s.FLYWHEEL_OTEL_ENDPOINT) return undefined;
  if (current) return current;
  const resource = new Resource({ 'service.name': serviceName });
  const exporter = new OTLPTraceExporter({
    url: s.FLYWHEEL_OTEL_ENDPOINT,
    headers: parseOtelHeaders(s.FLYWHEEL_OTEL_HEADERS),
  });
  const processor = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  current = {
    endpoint: s.FLYWHEEL_OTEL_ENDPOINT,
    outerActivity: (ctx) => ({
      inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
      outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
    innerActivity: () => ({ inbound: new GenAiSpans() }),
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    async flush() {
      await provider.forceFlush();
    },
  };
  return current;
}
