/**
 * Validation and normalisation of every user input, before any network work. Both APIs end in one
 * {@link ConnectPlan}; every failure is a `Settings error: <field> ...` naming the field and the
 * expected form, and never echoes a secret's value.
 * @packageDocumentation
 */
import os = require('node:os');
import path = require('node:path');

import { DEFAULTS } from './codes';
import { settingsError, shown } from './errors';
import { checkKeys, OPI_PROXY_KEYS, OPI_SETTINGS_KEYS } from './known-keys';

/** A proxy protocol the engine speaks: `socks5` (RFC 1928/1929), `socks4` (SOCKS4a for host names) or `http` (CONNECT). */
export type ProxyType = 'socks4' | 'socks5' | 'http';

/** A proxy, normalised. */
export interface ProxyPlan {
  type: ProxyType;
  host: string;
  port: number;
  login?: string;
  password?: string;
}

/** Key text, or a path to read before connecting; `field` names it in messages. */
export type KeySource = ({ text: Buffer } | { path: string }) & { field: string };

/** How to log in, normalised. */
export type AuthPlan =
  | { type: 'password'; password: string }
  | {
      type: 'private_key';
      privateKey: KeySource;
      publicKey?: KeySource;
      passphrase?: string;
    }
  | { type: 'agent'; agentSocket?: string }
  | { type: 'keyboard_interactive'; responses: string[] };

/** What the server's key is checked against. */
export interface HostKeyPlan {
  policy: 'strict' | 'accept-new' | 'off';
  /** known_hosts file to read (and, for accept-new, to record new hosts in). */
  knownHostsPath: string;
  /** The file was named by the caller (the default one's directory is created when missing). */
  explicit: boolean;
  /** accept-new records new hosts hashed (OpenSSH's HashKnownHosts). */
  hash: boolean;
  /** The setting that names the file, for messages (`known_hosts`, `hostKey.knownHosts`). */
  knownHostsField: string;
  /** `SHA256:<base64>` the key must have. */
  fingerprint?: string;
  /** Idiomatic client: a last say after the policy accepted. */
  verify?: (key: { type: string; fingerprint: string; key: Buffer; host: string; port: number }) => boolean | Promise<boolean>;
}

/** Client-side algorithm preferences, each a comma list of libssh2 names (absent: defaults). */
export interface AlgorithmsPlan {
  kex?: string;
  cipher?: string;
  mac?: string;
  hostKey?: string;
}

/** An algorithm list: an array of names or a comma-separated string. */
export function algorithmList(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const names = Array.isArray(value) ? Array.from(value) : typeof value === 'string' ? value.split(',') : undefined;
  if (names === undefined || names.length === 0 || names.some((n) => typeof n !== 'string' || !/^[A-Za-z0-9@._+-]+$/.test(n.trim()))) {
    throw settingsError(field, 'must be a non-empty list of algorithm names (an array, or a comma-separated string)');
  }
  return names.map((n: string) => n.trim()).join(',');
}

/** Everything a connection needs, validated. */
export interface ConnectPlan {
  host: string;
  port: number;
  username: string;
  auth: AuthPlan;
  proxy?: ProxyPlan;
  /** Bound on DNS + TCP + proxy + SSH handshake + login, in milliseconds. */
  connectTimeoutMs: number;
  /** Default bound of each command in milliseconds; 0 = none. */
  commandTimeoutMs: number;
  /** Idiomatic client's `debug` option: gets each debug line. */
  debug?: (message: string) => void;
  /** SSH keepalive interval in milliseconds; 0 = off. */
  keepaliveIntervalMs: number;
  hostKey: HostKeyPlan;
  algorithms?: AlgorithmsPlan;
}

const POLICIES = ['strict', 'accept-new', 'off'] as const;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** The default known_hosts file (accept-new records new hosts in it, as ssh does). */
export function defaultKnownHosts(): string {
  return path.join(os.homedir(), '.ssh', 'known_hosts');
}

/** Validates host-key options (OPI field names given by the caller). */
export function parseHostKey(policy: unknown, knownHosts: unknown, fingerprint: unknown, hash: unknown, names: { policy: string; knownHosts: string; fingerprint: string; hash: string }): HostKeyPlan {
  let chosen: HostKeyPlan['policy'] = 'accept-new';
  if (policy !== undefined && policy !== null) {
    if (typeof policy !== 'string' || !(POLICIES as readonly string[]).includes(policy)) {
      throw settingsError(names.policy, `must be "strict", "accept-new" or "off" (got ${shown(policy)})`);
    }
    chosen = policy as HostKeyPlan['policy'];
  }
  const plan: HostKeyPlan = { policy: chosen, knownHostsPath: defaultKnownHosts(), explicit: false, knownHostsField: names.knownHosts, hash: false };
  if (hash !== undefined && hash !== null) {
    if (typeof hash !== 'boolean') throw settingsError(names.hash, `must be true or false (got ${shown(hash)})`);
    plan.hash = hash;
  }
  if (knownHosts !== undefined && knownHosts !== null) {
    plan.knownHostsPath = path.resolve(requireString(knownHosts, names.knownHosts));
    plan.explicit = true;
  }
  if (fingerprint !== undefined && fingerprint !== null) {
    if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) {
      throw settingsError(names.fingerprint, `must be "SHA256:" and 43 base64 characters, as ssh-keygen -l prints it (got ${shown(fingerprint)})`);
    }
    if (chosen === 'off') {
      throw settingsError(names.fingerprint, `cannot be used with ${names.policy} "off", which checks nothing: pin the key with "strict" or "accept-new", or drop the pin`);
    }
    plan.fingerprint = fingerprint;
  }
  return plan;
}

const AUTH_TYPES = ['password', 'private_key', 'agent', 'keyboard_interactive'] as const;
const PROXY_TYPES: readonly ProxyType[] = ['socks4', 'socks5', 'http'];

/** Describes a value for an error message, without its content when it may be a secret. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required non-empty string without NUL bytes. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw settingsError(field, `must be a non-empty string (got ${describe(value)})`);
  }
  if (value.length === 0) throw settingsError(field, 'must be a non-empty string (got "")');
  if (value.includes('\0')) throw settingsError(field, 'must not contain NUL characters');
  return value;
}

/** An optional string: undefined/null stay absent. Secrets are never echoed. */
function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw settingsError(field, `must be a string when given (got ${describe(value)})`);
  }
  return value;
}

/** A TCP port: an integer 1..65535, or its decimal text (OPI's CLI passes ports as strings). */
export function requirePort(value: unknown, field: string): number {
  let port: number = Number.NaN;
  if (typeof value === 'number') port = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) port = Number(value.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw settingsError(field, `must be an integer from 1 to 65535 (got ${shown(value)})`);
  }
  return port;
}

/** The longest duration a timer can wait: 2^31-1 ms (about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** The same in whole seconds, for OPI's durations: 2147483. */
export const MAX_TIMEOUT_S = Math.floor(MAX_TIMEOUT_MS / 1000);

/**
 * A duration in seconds (OPI settings) turned into milliseconds; `fallback` when absent.
 * `zero`: what 0 means (`none`, `off`), or undefined when 0 is not allowed. Anything out of range
 * (negative, NaN, Infinity, over {@link MAX_TIMEOUT_S}) is a Settings error, never replaced.
 */
export function secondsToMs(value: unknown, field: string, fallback: number, zero?: string): number {
  if (value === undefined || value === null) return fallback;
  let seconds: number = Number.NaN;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string' && value.trim() !== '') seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || (seconds === 0 && zero === undefined) || seconds > MAX_TIMEOUT_S) {
    const range = zero !== undefined ? `from 0 (${zero}) to ${MAX_TIMEOUT_S}` : `greater than 0 and at most ${MAX_TIMEOUT_S}`;
    throw settingsError(field, `must be a number of seconds ${range} (about 24.8 days) (got ${shown(value)})`);
  }
  // Rounded up: a positive duration never becomes 0 (which would mean "none").
  return Math.ceil(seconds * 1000);
}

/** A duration in milliseconds (idiomatic options), bounded like {@link secondsToMs}. */
export function requireMs(value: unknown, field: string, fallback: number, zero?: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < (zero !== undefined ? 0 : 1) || value > MAX_TIMEOUT_MS) {
    const range = zero !== undefined ? `from 0 (${zero}) to ${MAX_TIMEOUT_MS}` : `from 1 to ${MAX_TIMEOUT_MS}`;
    throw settingsError(field, `must be a number of milliseconds ${range} (about 24.8 days) (got ${shown(value)})`);
  }
  return Math.ceil(value);
}

const KEY_TEXT = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** The largest key (file or text) accepted: real keys are a few KiB. */
export const MAX_KEY_BYTES = 1024 * 1024;

/** True when `text` is a private key itself (PEM or OpenSSH), not a path to one. */
export function isPrivateKeyText(text: string): boolean {
  return KEY_TEXT.test(text);
}
const PUBLIC_KEY_TEXT = /^\s*(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+\s+[A-Za-z0-9+/=]+|^\s*---- BEGIN SSH2 PUBLIC KEY ----/;

function keyText(text: Buffer, field: string): KeySource {
  if (text.length > MAX_KEY_BYTES) throw settingsError(field, `must be a key of at most 1 MiB (got ${text.length} bytes)`);
  return { text, field };
}

/**
 * A private key: PEM/OpenSSH text (string or Buffer) is used from memory, anything else is a path.
 * Public key text is kept as text too, so that the check of its content can say what it is.
 */
export function keySource(value: unknown, field: string): KeySource {
  if (Buffer.isBuffer(value)) {
    if (value.length === 0) throw settingsError(field, 'must not be empty');
    return keyText(value, field);
  }
  const text = requireString(value, field);
  if (isPrivateKeyText(text) || PUBLIC_KEY_TEXT.test(text)) return keyText(Buffer.from(text, 'utf8'), field);
  return { path: text, field };
}

/** A public key: `ssh-... AAAA...` text is used as it is; anything else is a path. */
export function publicKeySource(value: unknown, field: string): KeySource {
  if (Buffer.isBuffer(value)) return keyText(value, field);
  const text = requireString(value, field);
  if (PUBLIC_KEY_TEXT.test(text)) return keyText(Buffer.from(text, 'utf8'), field);
  return { path: text, field };
}

/** Validates an OPI proxy structure (`GetProxySettings`). `undefined`, `null`, `""` and `{}` mean no proxy. */
export function parseOpiProxy(proxy: unknown, prefix = 'proxy'): ProxyPlan | undefined {
  if (proxy === undefined || proxy === null || proxy === '') return undefined;
  if (!isRecord(proxy)) throw settingsError(prefix, `must be an object from GetProxySettings (got ${describe(proxy)})`);
  checkKeys(proxy, { ...OPI_PROXY_KEYS, path: prefix });
  if (Object.keys(proxy).length === 0) return undefined;
  const host = requireString(proxy.server, `${prefix}.server`);
  const port = requirePort(proxy.port, `${prefix}.port`);
  const rawType = proxy.proxy_type === undefined ? 'socks5' : proxy.proxy_type;
  if (typeof rawType !== 'string' || !PROXY_TYPES.includes(rawType.toLowerCase() as ProxyType)) {
    throw settingsError(`${prefix}.proxy_type`, `must be one of "socks5", "socks4", "http" (got ${shown(rawType)})`);
  }
  const plan: ProxyPlan = { type: rawType.toLowerCase() as ProxyType, host, port };
  const login = optionalString(proxy.login, `${prefix}.login`);
  const password = optionalString(proxy.password, `${prefix}.password`);
  if (login !== undefined) plan.login = login;
  if (password !== undefined) plan.password = password;
  return plan;
}

/** Validates an OPI settings structure (`GetSettings*`) and its extension fields. */
export function parseOpiSettings(settings: unknown, proxy?: unknown): ConnectPlan {
  if (!isRecord(settings)) {
    throw settingsError('settings', `must be an object from GetSettings* (got ${describe(settings)})`);
  }
  checkKeys(settings, OPI_SETTINGS_KEYS);
  const host = requireString(settings.host, 'host');
  const port = requirePort(settings.port, 'port');
  const username = requireString(settings.username, 'username');
  const rawType = settings.auth_type;
  const authType = typeof rawType === 'string' ? rawType.toLowerCase() : rawType;
  if (typeof authType !== 'string' || !(AUTH_TYPES as readonly string[]).includes(authType)) {
    throw settingsError('auth_type', `must be one of "password", "private_key", "agent", "keyboard_interactive" (got ${shown(rawType ?? null)})`);
  }
  let auth: AuthPlan;
  switch (authType) {
    case 'password':
      auth = { type: 'password', password: optionalString(settings.password, 'password') ?? '' };
      break;
    case 'private_key': {
      const plan: AuthPlan = { type: 'private_key', privateKey: keySource(settings.key_path, 'key_path') };
      if (settings.pub_path !== undefined && settings.pub_path !== null && settings.pub_path !== '') {
        plan.publicKey = publicKeySource(settings.pub_path, 'pub_path');
      }
      const passphrase = optionalString(settings.passphrase, 'passphrase');
      if (passphrase) plan.passphrase = passphrase;
      auth = plan;
      break;
    }
    case 'agent':
      auth = { type: 'agent' };
      break;
    default: {
      const responses = settings.keyboard_responses;
      if (!Array.isArray(responses) || responses.length === 0) {
        throw settingsError('keyboard_responses', 'must be a non-empty array of strings for keyboard_interactive');
      }
      // An index loop, not forEach: holes in a sparse array must be caught too.
      for (let i = 0; i < responses.length; i++) {
        const answer: unknown = responses[i];
        if (typeof answer !== 'string') throw settingsError(`keyboard_responses[${i}]`, `must be a string (got ${describe(answer)})`);
      }
      auth = { type: 'keyboard_interactive', responses: responses as string[] };
    }
  }
  const plan: ConnectPlan = {
    host,
    port,
    username,
    auth,
    connectTimeoutMs: secondsToMs(settings.connect_timeout, 'connect_timeout', DEFAULTS.connectTimeoutMs),
    commandTimeoutMs: secondsToMs(settings.command_timeout, 'command_timeout', 0, 'none'),
    keepaliveIntervalMs: secondsToMs(settings.keepalive_interval, 'keepalive_interval', 0, 'off'),
    hostKey: parseHostKey(settings.host_key_policy, settings.known_hosts, settings.host_key_fingerprint, settings.hash_known_hosts,
      { policy: 'host_key_policy', knownHosts: 'known_hosts', fingerprint: 'host_key_fingerprint', hash: 'hash_known_hosts' }),
  };
  const algorithms: AlgorithmsPlan = {};
  const kex = algorithmList(settings.kex_algorithms, 'kex_algorithms');
  const cipher = algorithmList(settings.ciphers, 'ciphers');
  const mac = algorithmList(settings.macs, 'macs');
  const hostKeyAlgorithms = algorithmList(settings.host_key_algorithms, 'host_key_algorithms');
  if (kex !== undefined) algorithms.kex = kex;
  if (cipher !== undefined) algorithms.cipher = cipher;
  if (mac !== undefined) algorithms.mac = mac;
  if (hostKeyAlgorithms !== undefined) algorithms.hostKey = hostKeyAlgorithms;
  if (Object.keys(algorithms).length > 0) plan.algorithms = algorithms;
  const proxyPlan = parseOpiProxy(proxy);
  if (proxyPlan !== undefined) plan.proxy = proxyPlan;
  return plan;
}
