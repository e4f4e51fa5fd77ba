/**
 * OPI logging: `GetLoggingSettings` structures and the per-connection log that `GetLog` reads.
 * Lines look like `[YYYY-MM-DD HH:MM:SS.mmm] message` in local time; memory mode keeps a ring of
 * `max_entries`, file mode appends (asynchronously: the event loop never waits on the disk).
 * Nothing secret is logged: settings are never written, only step names and command texts.
 * @packageDocumentation
 */
import fs = require('node:fs');

import { settingsError, shown } from '../errors';
import { checkKeys, OPI_LOGGING_KEYS } from '../known-keys';

/** `GetLoggingSettings` result. */
export interface LoggingSettings {
  mode?: 'memory' | 'file' | 'both';
  max_entries?: number;
  file_path?: string;
}

/** `GetLog` result (when not asked for a string). */
export interface LogResult {
  result: true;
  logs: string[];
  total: number;
  returned: number;
  /** Present when appending to the log file failed (OPI dropped such errors silently). */
  file_error?: string;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `[YYYY-MM-DD HH:MM:SS.mmm] message`, local time. */
export function formatLine(message: string, when = new Date()): string {
  const date = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
  const time = `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}.${pad(when.getMilliseconds(), 3)}`;
  return `[${date} ${time}] ${message}`;
}

/** One connection's log. */
export class Logger {
  readonly #memory: boolean;
  readonly #max: number;
  readonly #file: string | undefined;
  readonly #lines: string[] = [];
  #writing: Promise<void> = Promise.resolve();
  #fileError: string | undefined;

  constructor(settings: { memory: boolean; maxEntries: number; file?: string }) {
    this.#memory = settings.memory;
    this.#max = settings.maxEntries;
    this.#file = settings.file;
  }

  /** Records one event. */
  log(message: string): void {
    const line = formatLine(message);
    if (this.#memory && this.#max !== 0) {
      this.#lines.push(line);
      if (this.#max > 0 && this.#lines.length > this.#max) this.#lines.splice(0, this.#lines.length - this.#max);
    }
    if (this.#file !== undefined) {
      const file = this.#file;
      this.#writing = this.#writing
        .then(() => fs.promises.appendFile(file, `${line}\n`))
        .catch((error: NodeJS.ErrnoException) => {
          this.#fileError = `${error.code ?? 'error'}: ${error.message}`;
        });
    }
  }

  /** Resolves once every line so far is in the file. */
  flush(): Promise<void> {
    return this.#writing;
  }

  /** The last `count` lines (0 or more than held: all). */
  read(count: number): LogResult {
    const take = count <= 0 || count >= this.#lines.length ? this.#lines.length : count;
    const logs = this.#lines.slice(this.#lines.length - take);
    const result: LogResult = { result: true, logs, total: this.#lines.length, returned: logs.length };
    if (this.#fileError !== undefined) result.file_error = this.#fileError;
    return result;
  }
}

/**
 * A logging structure. `maxEvents`: entries kept in memory (0 keeps none, a negative number keeps
 * all); `filePath`: a file to append to.
 */
export function GetLoggingSettings(writeToMemory = true, maxEvents = 300, filePath = ''): LoggingSettings {
  const out: LoggingSettings = {};
  const file = typeof filePath === 'string' && filePath !== '';
  if (writeToMemory && file) out.mode = 'both';
  else if (writeToMemory) out.mode = 'memory';
  else if (file) out.mode = 'file';
  if (writeToMemory) out.max_entries = maxEvents;
  if (file) out.file_path = filePath;
  return out;
}

/** Validates a logging structure into a {@link Logger}; `undefined`/`null`/`""` mean no logging. */
export function loggerFromSettings(settings: unknown): Logger | undefined {
  if (settings === undefined || settings === null || settings === '') return undefined;
  if (typeof settings !== 'object' || Array.isArray(settings)) {
    throw settingsError('logging', 'must be an object from GetLoggingSettings');
  }
  checkKeys(settings, OPI_LOGGING_KEYS);
  const s = settings as Record<string, unknown>;
  const mode = typeof s.mode === 'string' ? s.mode.toLowerCase() : undefined;
  if (mode !== 'memory' && mode !== 'file' && mode !== 'both') {
    throw settingsError('logging.mode', `must be "memory", "file" or "both" (got ${shown(s.mode ?? null)})`);
  }
  let maxEntries = 300;
  if (s.max_entries !== undefined) {
    if (typeof s.max_entries !== 'number' || !Number.isInteger(s.max_entries)) {
      throw settingsError('logging.max_entries', 'must be an integer (0 keeps nothing, negative keeps all)');
    }
    maxEntries = s.max_entries;
  }
  let file: string | undefined;
  if (mode !== 'memory') {
    if (typeof s.file_path !== 'string' || s.file_path === '') {
      throw settingsError('logging.file_path', `must be a file path for mode "${mode}"`);
    }
    file = s.file_path;
  }
  return new Logger(file === undefined ? { memory: mode !== 'file', maxEntries } : { memory: mode !== 'file', maxEntries, file });
}
