/**
 * The one logger: structured records, one JSON object per line on stderr, so that logs from
 * several controller processes can be merged and filtered by field. `MESETA_LOG_LEVEL` sets the
 * threshold (debug, info, warn, error; default info).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose records all carry `fields` (e.g. the controller's name). */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(
  options: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {},
): Logger {
  const threshold = rank[options.level ?? envLevel()];
  const sink = options.sink ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = options.fields ?? {};
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (rank[level] < threshold) return;
    sink(
      JSON.stringify({
        time: new Date().toISOString(),
        level,
        msg,
        ...base,
        ...errorsAsText(fields),
      }),
    );
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything; for tests and quiet library use. */
export const silentLogger: Logger = createLogger({ sink: () => {} });

function envLevel(): LogLevel {
  const value = process.env.MESETA_LOG_LEVEL;
  return value && value in rank ? (value as LogLevel) : 'info';
}

// Error objects serialise to {} in JSON; keep their message and code.
function errorsAsText(fields?: LogFields): LogFields | undefined {
  if (!fields) return fields;
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error
        ? { message: value.message, ...('code' in value ? { code: value.code } : {}) }
        : value;
  }
  return out;
}
