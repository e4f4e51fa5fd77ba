/**
 * The OPI settings structures (`GetSettings*`, `GetProxySettings`, `GetConnectionConfiguration`)
 * and the functions that build them, with OPI's names, parameters and leniencies: a field left
 * empty is left out, numeric text becomes a number, a key path is made absolute. Builders never
 * fail; the structures are validated when used (lib/opi/to-options.ts). Pure functions,
 * JavaScript thread.
 * @packageDocumentation
 */
import path = require('node:path');

import type { ProxyType } from '../plan';
import { isPrivateKeyText, isPublicKeyText } from '../validate';

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
export function GetSettingsPrivateKey(
  host: string,
  port: number | string,
  login: string,
  privateKey: string,
  publicKey = '',
  passphrase = '',
): PrivateKeySettings {
  const out = base('private_key', host, port, login);
  if (filled(privateKey)) out.key_path = isPrivateKeyText(String(privateKey)) ? String(privateKey) : path.resolve(String(privateKey));
  if (filled(publicKey)) out.pub_path = isPublicKeyText(String(publicKey)) ? String(publicKey) : path.resolve(String(publicKey));
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
