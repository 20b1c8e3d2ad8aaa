/** Minimal leveled logger with dotted names (beamtwin.ca.circuit). BEAMTWIN_LOG=debug|info|warn|error|silent. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(name: string): Logger;
}

export type LogSink = (level: LogLevel, name: string, msg: string) => void;

const fromEnv = process.env['BEAMTWIN_LOG']?.toLowerCase();
let threshold: LogLevel = fromEnv && fromEnv in order ? (fromEnv as LogLevel) : 'warn';
if (fromEnv && !(fromEnv in order)) {
  process.stderr.write(`beamtwin: BEAMTWIN_LOG=${fromEnv} is not a level (debug, info, warn, error, silent); using warn\n`);
}
let sink: LogSink = (level, name, msg) => {
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ${name}: ${msg}\n`);
};

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}
export function setLogSink(s: LogSink): LogSink {
  const prev = sink;
  sink = s;
  return prev;
}

export function getLogger(name: string): Logger {
  const emit = (level: LogLevel, msg: string) => {
    if (order[level] >= order[threshold]) sink(level, name, msg);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (n) => getLogger(`${name}.${n}`),
  };
}
