import pino, { type Logger } from 'pino';
import { isSecretName } from './config';

let root: Logger | undefined;

/** The one logger: pretty on a terminal, JSON lines otherwise. Secret-looking keys are redacted. */
export function logger(opts: { level?: string; pretty?: boolean } = {}): Logger {
  if (root && opts.level === undefined && opts.pretty === undefined) return root;
  const pretty = opts.pretty ?? Boolean(process.stderr.isTTY);
  root = pino(
    {
      level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      redact: {
        paths: ['*.token', '*.apiKey', '*.password', '*.authorization', 'token', 'apiKey'],
        censor: '[redacted]',
      },
      formatters: {
        log: (obj) => {
          for (const k of Object.keys(obj)) if (isSecretName(k)) obj[k] = '[redacted]';
          return obj;
        },
      },
    },
    pretty
      ? pino.transport({
          target: 'pino-pretty',
          options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
        })
      : pino.destination(2),
  );
  return root;
}
