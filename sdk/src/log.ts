export type LogLevel = 'debug' | 'warn' | 'error';

export interface LogEntry {
  level: LogLevel;
  message: string;
  /** Ids, counts, status codes and reasons only: never prompts, payloads or keys. */
  details?: Record<string, unknown>;
}

/** Receives the SDK's log lines. Throwing from it is harmless: the SDK swallows it. */
export type LogSink = (entry: LogEntry) => void;

const stderrSink: LogSink = ({ level, message, details }) => {
  const suffix = details ? ` ${safeStringify(details)}` : '';
  process.stderr.write(`[vigil] ${level} ${message}${suffix}\n`);
};

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}

/**
 * The SDK's only output channel. Silent unless `debug` is on (option or VIGIL_DEBUG) or the host passed
 * its own sink, because a monitoring library must not write to the host's stderr uninvited.
 */
export class Log {
  private readonly sink: LogSink | null;

  constructor(options: { debug: boolean; sink?: LogSink | undefined }) {
    this.sink = options.sink ?? (options.debug ? stderrSink : null);
  }

  get enabled(): boolean {
    return this.sink !== null;
  }

  debug(message: string, details?: Record<string, unknown>): void {
    this.write({ level: 'debug', message, ...(details ? { details } : {}) });
  }

  warn(message: string, details?: Record<string, unknown>): void {
    this.write({ level: 'warn', message, ...(details ? { details } : {}) });
  }

  error(message: string, details?: Record<string, unknown>): void {
    this.write({ level: 'error', message, ...(details ? { details } : {}) });
  }

  private write(entry: LogEntry): void {
    if (!this.sink) return;
    try {
      this.sink(entry);
    } catch {
      // a broken log sink must not break the host
    }
  }
}

/** For catch blocks: the message of anything thrown, without its payload. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
