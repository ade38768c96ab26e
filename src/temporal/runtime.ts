import {
  Runtime,
  makeTelemetryFilterString,
  type Logger as TemporalLogger,
  type LogLevel,
  type LogMetadata,
} from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

/** Routes the Temporal runtime's (and the SDK's workflow/activity context) logs through our pino logger. */
export function installTemporalRuntime(log: Logger): void {
  if (installed) return;
  installed = true;
  const level = (l: LogLevel) => l.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
  const adapter: TemporalLogger = {
    log: (l: LogLevel, message: string, meta?: LogMetadata) => {
      // Bind workflow id / run id where the SDK gives them.
      const { workflowId, runId, activityType, workflowType, taskQueue, sdkComponent } = (meta ??
        {}) as Record<string, unknown>;
      log[level(l)]({ workflowId, runId, activityType, workflowType, taskQueue, sdk: sdkComponent }, message);
    },
    trace: (m, meta) => adapter.log('TRACE', m, meta),
    debug: (m, meta) => adapter.log('DEBUG', m, meta),
    info: (m, meta) => adapter.log('INFO', m, meta),
    warn: (m, meta) => adapter.log('WARN', m, meta),
    error: (m, meta) => adapter.log('ERROR', m, meta),
  };
  Runtime.install({
    logger: adapter,
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}
