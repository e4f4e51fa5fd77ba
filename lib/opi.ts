/**
 * The Open Integration Package (OPI) SSH functions, with their names, parameters and result shapes
 * (the README's OPI section; the original's behaviour is described in the design notes), as a thin layer over the idiomatic client. Nothing here throws for a
 * runtime failure: failures resolve to `{result: false, error, code}`.
 * @packageDocumentation
 */
import path = require('node:path');

import { Connection, connectPlan, rawExecOptions } from './client';
import { OpiFailure, settingsError, SshError, toOpiFailure } from './errors';
import { checkKeys, OPI_CONFIGURATION_KEYS } from './known-keys';
import { Logger, loggerFromSettings, LoggingSettings, LogResult } from './log';
import { isPrivateKeyText, parseOpiSettings, ProxyType, requireString } from './settings';

const loggers = new WeakMap<Connection, Logger>();

/**
 * The extension fields every settings structure may carry (durations in seconds, at most
 * 2147483). Any other field is a Settings error: `null` stands for "not given".
 */
export interface SettingsExtensions {
  /** Bound on reading files + DNS + TCP + proxy + SSH handshake + login; default 30. */
  connect_timeout?: number | string | null;
  /** Bound on each command; 0 (default): none. */
  command_timeout?: number | string | null;
  /** Seconds between SSH keepalives; 0 (default): off. */
  keepalive_interval?: number | string | null;
  /** `strict`, `accept-new` (default: an unknown host is accepted, a changed key refused) or `off` (no check, as OPI). */
  host_key_policy?: 'strict' | 'accept-new' | 'off' | null;
  /** An OpenSSH known_hosts file; default `~/.ssh/known_hosts`. */
  known_hosts?: string | null;
  /** `SHA256:<base64>`; not with `host_key_policy: "off"`. */
  host_key_fingerprint?: string | null;
  /** accept-new records new hosts hashed, as OpenSSH's HashKnownHosts (default false). */
  hash_known_hosts?: boolean | null;
  /** Key exchange algorithms to offer, in order (an array or a comma list of libssh2 names). */
  kex_algorithms?: string | string[] | null;
  /** Ciphers to offer, in order. */
  ciphers?: string | string[] | null;
  /** MACs to offer, in order. */
  macs?: string | string[] | null;
  /** Host key algorithms to offer, in order. */
  host_key_algorithms?: string | string[] | null;
}

/** `GetSettingsLoginPassword` result. */
export interface PasswordSettings extends SettingsExtensions {
  auth_type: 'password';
  host?: string;
  port?: number | string;
  username?: string;
  password?: string;
}
/** `GetSettingsPrivateKey` result. */
export interface PrivateKeySettings extends SettingsExtensions {
  auth_type: 'private_key';
  host?: string;
  port?: number | string;
  username?: string;
  key_path?: string;
  pub_path?: string;
  passphrase?: string;
}
/** `GetSettingsViaAgent` result. */
export interface AgentSettings extends SettingsExtensions {
  auth_type: 'agent';
  host?: string;
  port?: number | string;
  username?: string;
}
/** `GetSettingsKI` result. */
export interface KeyboardInteractiveSettings extends SettingsExtensions {
  auth_type: 'keyboard_interactive';
  host?: string;
  port?: number | string;
  username?: string;
  keyboard_responses?: string[];
}
/** Any SSH settings structure. */
export type SshSettings = PasswordSettings | PrivateKeySettings | AgentSettings | KeyboardInteractiveSettings;

/**
 * A proxy type as OPI takes it: `socks5`, `socks4` or `http`, in lower case, upper case or
 * capitalised (the check at run time ignores case altogether).
 */
export type OpiProxyType = ProxyType | Uppercase<ProxyType> | Capitalize<ProxyType>;

/** `GetProxySettings` result. */
export interface ProxySettings {
  /** The proxy's address. */
  server?: string;
  /** The proxy's port (a number or numeric text). */
  port?: number | string;
  /** Default `socks5`. */
  proxy_type?: OpiProxyType;
  /** SOCKS5 / HTTP: sent with `password` when both are given; SOCKS4: the user id. */
  login?: string;
  /** Never appears in a result, error or log. */
  password?: string;
}

/** `GetConnectionConfiguration` result. */
export interface ConnectionConfiguration {
  /** From a `GetSettings*` function. */
  set: SshSettings;
  /** From {@link GetProxySettings}. */
  proxy?: ProxySettings;
}

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

/** OPI's "filled" rule: undefined, null, "", 0 and [] are not filled. */
function filled(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0) return false;
  return !(Array.isArray(value) && value.length === 0);
}

/** OPI's number coercion: numeric text becomes a number, anything else stays as it is. */
function numberOrAsIs(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const cleaned = value.replace(/[\s\u00a0]/g, '').replace(',', '.');
  return cleaned !== '' && Number.isFinite(Number(cleaned)) ? Number(cleaned) : value;
}

function base(authType: string, host: unknown, port: unknown, login: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { auth_type: authType };
  if (filled(host)) out.host = String(host);
  const portValue = numberOrAsIs(port);
  if (filled(portValue)) out.port = portValue;
  if (filled(login)) out.username = String(login);
  return out;
}

const PUBLIC_KEY_TEXT = /^\s*(ssh-|ecdsa-|sk-)/;

/** Settings for a password login. */
export function GetSettingsLoginPassword(host: string, port: number | string, login: string, password = ''): PasswordSettings {
  const out = base('password', host, port, login);
  if (filled(password)) out.password = String(password);
  return out as unknown as PasswordSettings;
}

/**
 * Settings for a key login. `privateKey` is a file path (made absolute) or the key text itself
 * (used from memory; never written to a temporary file).
 */
export function GetSettingsPrivateKey(host: string, port: number | string, login: string, privateKey: string, publicKey = '', passphrase = ''): PrivateKeySettings {
  const out = base('private_key', host, port, login);
  if (filled(privateKey)) out.key_path = isPrivateKeyText(String(privateKey)) ? String(privateKey) : path.resolve(String(privateKey));
  if (filled(publicKey)) out.pub_path = PUBLIC_KEY_TEXT.test(String(publicKey)) ? String(publicKey) : path.resolve(String(publicKey));
  if (filled(passphrase)) out.passphrase = String(passphrase);
  return out as unknown as PrivateKeySettings;
}

/** Settings for an ssh-agent login (every identity the agent holds is tried). */
export function GetSettingsViaAgent(host: string, port: number | string, login: string): AgentSettings {
  return base('agent', host, port, login) as unknown as AgentSettings;
}

/** Settings for a keyboard-interactive login; `answers` are used in order across all prompts. */
export function GetSettingsKI(host: string, port: number | string, login: string, answers: string[]): KeyboardInteractiveSettings {
  const out = base('keyboard_interactive', host, port, login);
  if (filled(answers)) out.keyboard_responses = Array.isArray(answers) ? answers.map(String) : answers;
  return out as unknown as KeyboardInteractiveSettings;
}

/** A proxy structure. `login` and `password` are kept whenever they are given, even empty. */
export function GetProxySettings(address: string, port: number | string, type: OpiProxyType = 'socks5', login?: string, password?: string): ProxySettings {
  const out: Record<string, unknown> = {};
  if (filled(address)) out.server = String(address);
  const portValue = numberOrAsIs(port);
  if (filled(portValue)) out.port = portValue;
  if (filled(type)) out.proxy_type = String(type);
  if (login !== undefined && login !== null) out.login = String(login);
  if (password !== undefined && password !== null) out.password = String(password);
  return out as ProxySettings;
}

/** A configuration for one-call use: `ExecuteCommand` opens, runs and closes. */
export function GetConnectionConfiguration(settings: SshSettings, proxy?: ProxySettings): ConnectionConfiguration {
  const out: ConnectionConfiguration = { set: settings };
  if (filled(proxy) && !(typeof proxy === 'object' && proxy !== null && Object.keys(proxy).length === 0)) {
    out.proxy = proxy as ProxySettings;
  }
  return out;
}

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
    const plan = parseOpiSettings(settings, proxy);
    logger?.log('Connecting to SSH server');
    const connection = await connectPlan(plan);
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

/** OPI's exit_code text: the status, or 128 + the signal's number when a signal ended it. */
function exitCodeText(exitCode: number | null, signal: string | null): string {
  if (exitCode !== null) return String(exitCode);
  const numbers: Record<string, number> = {
    HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
    USR2: 12, PIPE: 13, ALRM: 14, TERM: 15,
  };
  const number = signal !== null ? numbers[signal] : undefined;
  return number !== undefined ? String(128 + number) : '-1';
}

async function runOn(connection: Connection, command: string): Promise<ExecuteSuccess> {
  const raw = await connection.execRaw(rawExecOptions(command, {}, connection.commandTimeoutMs));
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
    if (!isConfiguration(connection)) {
      throw settingsError('connection', 'must be a connection from CreateConnection or a configuration from GetConnectionConfiguration (with a "set" key)');
    }
    checkKeys(connection, OPI_CONFIGURATION_KEYS);
    const opened = await connectPlan(parseOpiSettings(connection.set, connection.proxy));
    try {
      const result = await runOn(opened, command);
      await opened.close();
      result.close_connection = { result: true };
      return result;
    } finally {
      await opened.close();
    }
  } catch (error) {
    return toOpiFailure(error);
  }
}

/** Closes a connection (SSH disconnect included). Closing twice is harmless. */
export async function CloseConnection(connection: Connection): Promise<{ result: true } | OpiFailure> {
  if (!IsConnector(connection)) {
    return toOpiFailure(new SshError({ code: 'INVALID_SETTINGS', level: 'settings', message: 'Settings error: connection must be a connection from CreateConnection' }));
  }
  loggers.get(connection)?.log('Disconnecting from SSH server');
  await connection.close();
  await loggers.get(connection)?.flush();
  return { result: true };
}
