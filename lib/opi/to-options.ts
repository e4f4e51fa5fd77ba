/**
 * OPI settings (`GetSettings*`, `GetProxySettings`) translated to the idiomatic client's
 * {@link ConnectOptions}, which then go through the one plan builder (`planFromOptions`) with the
 * OPI field names for its messages. What only OPI allows is settled here: the login chosen by
 * `auth_type` (in any case), a missing password as the empty one, durations in seconds, a proxy
 * type in any case, `""` and `{}` for "no proxy", `null` for "not given". Pure functions,
 * JavaScript thread.
 * @packageDocumentation
 */
import { DEFAULTS } from '../codes';
import { settingsError, shown } from '../errors';
import { checkKeys, OPI_PROXY_KEYS, OPI_SETTINGS_KEYS } from '../known-keys';
import { type ConnectOptions, type FieldNames, planFromOptions, type ProxyOptions } from '../options';
import type { ConnectPlan, ProxyType } from '../plan';
import { describe, isRecord, MAX_TIMEOUT_MS, optionalString, requirePort, requireString } from '../validate';

/** OPI's durations are whole or fractional seconds, at most this many: 2147483. */
const MAX_TIMEOUT_S = Math.floor(MAX_TIMEOUT_MS / 1000);

const AUTH_TYPES = ['password', 'private_key', 'agent', 'keyboard_interactive'] as const;
const PROXY_TYPES: readonly ProxyType[] = ['socks4', 'socks5', 'http'];

/** The OPI name of each idiomatic option the plan builder may name in a message. */
const OPI_NAMES: FieldNames = {
  privateKey: 'key_path',
  publicKey: 'pub_path',
  keyboard: 'keyboard_responses',
  connectTimeout: 'connect_timeout',
  commandTimeout: 'command_timeout',
  keepaliveInterval: 'keepalive_interval',
  'hostKey.policy': 'host_key_policy',
  'hostKey.knownHosts': 'known_hosts',
  'hostKey.fingerprint': 'host_key_fingerprint',
  'hostKey.hashKnownHosts': 'hash_known_hosts',
  'algorithms.kex': 'kex_algorithms',
  'algorithms.cipher': 'ciphers',
  'algorithms.mac': 'macs',
  'algorithms.hostKey': 'host_key_algorithms',
  'proxy.host': 'proxy.server',
  'proxy.type': 'proxy.proxy_type',
};

/**
 * A duration in seconds turned into milliseconds; `fallback` when absent. `zero`: what 0 means
 * (`none`, `off`), or undefined when 0 is not allowed. Anything out of range (negative, NaN,
 * Infinity, over 2147483 s) is a Settings error, never replaced.
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

/** The login `auth_type` names, as idiomatic options. */
function loginOptions(settings: Record<string, unknown>): Record<string, unknown> {
  const rawType = settings.auth_type;
  const authType = typeof rawType === 'string' ? rawType.toLowerCase() : rawType;
  if (typeof authType !== 'string' || !(AUTH_TYPES as readonly string[]).includes(authType)) {
    throw settingsError('auth_type', `must be one of "password", "private_key", "agent", "keyboard_interactive" (got ${shown(rawType ?? null)})`);
  }
  switch (authType) {
    case 'password':
      return { password: optionalString(settings.password, 'password') ?? '' };
    case 'private_key': {
      // Absent, it would be no login at all to the builder: OPI names the missing field.
      if (settings.key_path === undefined || settings.key_path === null) requireString(settings.key_path, 'key_path');
      const login: Record<string, unknown> = { privateKey: settings.key_path };
      if (settings.pub_path !== undefined && settings.pub_path !== null && settings.pub_path !== '') login.publicKey = settings.pub_path;
      const passphrase = optionalString(settings.passphrase, 'passphrase');
      if (passphrase) login.passphrase = passphrase;
      return login;
    }
    case 'agent':
      return { agent: true };
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
      return { keyboard: responses };
    }
  }
}

/** An OPI proxy structure as idiomatic proxy options; `undefined`, `null`, `""` and `{}` mean no proxy. */
function proxyOptions(proxy: unknown): ProxyOptions | undefined {
  if (proxy === undefined || proxy === null || proxy === '') return undefined;
  if (!isRecord(proxy)) throw settingsError('proxy', `must be an object from GetProxySettings (got ${describe(proxy)})`);
  checkKeys(proxy, OPI_PROXY_KEYS);
  if (Object.keys(proxy).length === 0) return undefined;
  const options: ProxyOptions = { host: requireString(proxy.server, 'proxy.server'), port: requirePort(proxy.port, 'proxy.port') };
  const rawType = proxy.proxy_type === undefined ? 'socks5' : proxy.proxy_type;
  if (typeof rawType !== 'string' || !PROXY_TYPES.includes(rawType.toLowerCase() as ProxyType)) {
    throw settingsError('proxy.proxy_type', `must be one of "socks5", "socks4", "http" (got ${shown(rawType)})`);
  }
  options.type = rawType.toLowerCase() as ProxyType;
  const login = optionalString(proxy.login, 'proxy.login');
  const password = optionalString(proxy.password, 'proxy.password');
  if (login !== undefined) options.login = login;
  if (password !== undefined) options.password = password;
  return options;
}

/**
 * OPI settings and proxy as idiomatic options. Checked here in OPI's order: the structure, host,
 * port (required: OPI has no default), username, the login, the durations and the proxy; the
 * plan builder checks the rest.
 */
export function optionsFromOpi(settings: unknown, proxy?: unknown): ConnectOptions {
  if (!isRecord(settings)) {
    throw settingsError('settings', `must be an object from GetSettings* (got ${describe(settings)})`);
  }
  checkKeys(settings, OPI_SETTINGS_KEYS);
  const options: Record<string, unknown> = {
    host: requireString(settings.host, 'host'),
    port: requirePort(settings.port, 'port'),
    username: requireString(settings.username, 'username'),
    ...loginOptions(settings),
    connectTimeout: secondsToMs(settings.connect_timeout, 'connect_timeout', DEFAULTS.connectTimeoutMs),
    commandTimeout: secondsToMs(settings.command_timeout, 'command_timeout', 0, 'none'),
    keepaliveInterval: secondsToMs(settings.keepalive_interval, 'keepalive_interval', 0, 'off'),
    hostKey: {
      policy: settings.host_key_policy,
      knownHosts: settings.known_hosts,
      fingerprint: settings.host_key_fingerprint,
      hashKnownHosts: settings.hash_known_hosts,
    },
  };
  const algorithms = { kex: settings.kex_algorithms, cipher: settings.ciphers, mac: settings.macs, hostKey: settings.host_key_algorithms };
  if (Object.values(algorithms).some((list) => list !== undefined && list !== null)) options.algorithms = algorithms;
  const proxyGiven = proxyOptions(proxy);
  if (proxyGiven !== undefined) options.proxy = proxyGiven;
  return options as unknown as ConnectOptions;
}

/** Validates an OPI settings structure (`GetSettings*`, with its extension fields) and proxy into a plan. */
export function planFromOpi(settings: unknown, proxy?: unknown): ConnectPlan {
  return planFromOptions(optionsFromOpi(settings, proxy), OPI_NAMES);
}
