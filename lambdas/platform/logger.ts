import { Logger } from '@aws-lambda-powertools/logger';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/** Structured JSON logs. Never log prompts, payloads or keys: log ids and counts. */
export function createLogger(level: LogLevel = 'INFO', serviceName = 'vigil'): Logger {
  return new Logger({ serviceName, logLevel: level });
}

export type { Logger };
