/**
 * The OPI connection functions: `CreateConnection`, `ExecuteCommand`, `GetLog`,
 * `CloseConnection`, `IsConnector`, over the idiomatic client's public modules. Nothing here
 * throws or rejects for a failure: failures resolve to `{result: false, error, code}`.
 * JavaScript thread.
 * @packageDocumentation
 */
import { Connection } from '../connection';
import { type OpiFailure, settingsError, SshError, toOpiFailure } from '../errors';
import { checkKeys, OPI_CONFIGURATION_KEYS } from '../known-keys';
import { openConnection } from '../open';
import { requireString } from '../validate';
import { type Logger, loggerFromSettings, type LoggingSettings, type LogResult } from './log';
import type { ConnectionConfiguration, ProxySettings, SshSettings } from './settings';
import { planFromOpi } from './to-options';

const loggers = new WeakMap<Connection, Logger>();

/** `ExecuteCommand` success. */
export interface ExecuteSuccess {
  result: true;
  /** Decimal text of the exit status (128 + signal number when a signal ended the command). */
  exit_code: string;
  stdout: string;
  stderr: string;
  /** Signal name (e.g. `TERM`) when a signal ended the command. */
  exit_signal?: string;
  /** Present when a cap cut the output. */
  stdout_truncated?: boolean;
  stderr_truncated?: boolean;
  /** Configuration mode only. */
  close_connection?: { result: true };
}

/** `ExecuteCommand` result. */
export type ExecuteResult = ExecuteSuccess | OpiFailure;

/** True only for a {@link Connection} of this library (open or closed). */
export function IsConnector(value: unknown): value is Connection {
  return value instanceof Connection;
}

/** Opens a connection; resolves to it, or to `{result: false, error, code}`. `logging` comes from {@link GetLoggingSettings}. */
export async function CreateConnection(settings: SshSettings | Connection, proxy?: ProxySettings, logging?: LoggingSettings): Promise<Connection | OpiFailure> {
  let logger: Logger | undefined;
  try {
    if (IsConnector(settings)) return settings;
    logger = loggerFromSettings(logging);
    const plan = planFromOpi(settings, proxy);
    logger?.log('Connecting to SSH server');
    const connection = await openConnection(plan);
    logger?.log('Connected to SSH server');
    if (logger !== undefined) loggers.set(connection, logger);
    return connection;
  } catch (error) {
    const failure = toOpiFailure(error);
    logger?.log(`Connect failed: ${failure.error}`);
    return failure;
  }
}

/**
 * The connection's log as text: the last `count` entries (0: all) joined with LF; a failure
 * (`INVALID_STATE`) when the connection was opened without logging settings.
 */
export function GetLog(connection: Connection, asString: true, count?: number): string | OpiFailure;
/**
 * The connection's log: `{result: true, logs, total, returned}` with the last `count` entries (0:
 * all); a failure (`INVALID_STATE`) when the connection was opened without logging settings.
 */
export function GetLog(connection: Connection, asString?: false, count?: number): LogResult | OpiFailure;
/**
 * The connection's log: `{result: true, logs, total, returned}` with the last `count` entries (0:
 * all), or those entries joined with LF when `asString` is true.
 */
export function GetLog(connection: Connection, asString?: boolean, count?: number): LogResult | string | OpiFailure;
export function GetLog(connection: Connection, asString = false, count = 100): LogResult | string | OpiFailure {
  const logger = IsConnector(connection) ? loggers.get(connection) : undefined;
  if (logger === undefined) return { result: false, error: 'Logger not initialized', code: 'INVALID_STATE' };
  const result = logger.read(count);
  return asString ? result.logs.join('\n') : result;
}

function isConfiguration(value: unknown): value is ConnectionConfiguration {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'set' in value;
}

/**
 * Opens the connection a configuration from GetConnectionConfiguration describes; anything else is
 * a Settings error naming `connection`. Used by every OPI function that takes a configuration.
 */
export async function openConfiguration(value: unknown): Promise<Connection> {
  if (!isConfiguration(value)) {
    throw settingsError('connection', 'must be a connection from CreateConnection or a configuration from GetConnectionConfiguration (with a "set" key)');
  }
  checkKeys(value, OPI_CONFIGURATION_KEYS);
  return openConnection(planFromOpi(value.set, value.proxy));
}

/** OPI's exit_code text: the status, or 128 + the signal's number when a signal ended it. */
function exitCodeText(exitCode: number | null, signal: string | null): string {
  if (exitCode !== null) return String(exitCode);
  const numbers: Record<string, number> = {
    HUP: 1,
    INT: 2,
    QUIT: 3,
    ILL: 4,
    TRAP: 5,
    ABRT: 6,
    BUS: 7,
    FPE: 8,
    KILL: 9,
    USR1: 10,
    SEGV: 11,
    USR2: 12,
    PIPE: 13,
    ALRM: 14,
    TERM: 15,
  };
  const number = signal !== null ? numbers[signal] : undefined;
  return number !== undefined ? String(128 + number) : '-1';
}

async function runOn(connection: Connection, command: string): Promise<ExecuteSuccess> {
  const raw = await connection.exec(command, { encoding: 'buffer' });
  let stdout = raw.stdout.toString('utf8');
  if (stdout.endsWith('\n')) stdout = stdout.slice(0, -1);
  const result: ExecuteSuccess = {
    result: true,
    exit_code: exitCodeText(raw.exitCode, raw.signal),
    stdout,
    stderr: raw.stderr.toString('utf8'),
  };
  if (raw.signal !== null) result.exit_signal = raw.signal;
  if (raw.stdoutTruncated) result.stdout_truncated = true;
  if (raw.stderrTruncated) result.stderr_truncated = true;
  return result;
}

/**
 * Runs `command` on a connection, or on a configuration (opened and closed around the command,
 * with `close_connection` added to the result).
 */
export async function ExecuteCommand(connection: Connection | ConnectionConfiguration, command: string): Promise<ExecuteResult> {
  try {
    requireString(command, 'command');
    if (IsConnector(connection)) {
      loggers.get(connection)?.log(`Execute command: ${command}`);
      return await runOn(connection, command);
    }
    const opened = await openConfiguration(connection);
    let result: ExecuteSuccess;
    try {
      result = await runOn(opened, command);
    } finally {
      await opened.close();
    }
    result.close_connection = { result: true };
    return result;
  } catch (error) {
    return toOpiFailure(error);
  }
}

/** Closes a connection (SSH disconnect included). Closing twice is harmless. */
export async function CloseConnection(connection: Connection): Promise<{ result: true } | OpiFailure> {
  if (!IsConnector(connection)) {
    return toOpiFailure(
      new SshError({ code: 'INVALID_SETTINGS', level: 'settings', message: 'Settings error: connection must be a connection from CreateConnection' }),
    );
  }
  loggers.get(connection)?.log('Disconnecting from SSH server');
  await connection.close();
  await loggers.get(connection)?.flush();
  return { result: true };
}
