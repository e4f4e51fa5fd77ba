/**
 * `connect({host: 'alias', sshConfig: true | path})`: reads the OpenSSH client config for the host
 * ({@link resolveSshConfig}) within the connect deadline and turns it into the
 * {@link ConnectOptions} the one plan builder takes (lib/options.ts). Explicit options always
 * win; the config fills in HostName, User, Port, ConnectTimeout, ServerAliveInterval,
 * StrictHostKeyChecking and UserKnownHostsFile, and the login when none is given (IdentitiesOnly
 * and IdentityFile, ssh-agent, OpenSSH's default key files). What would reach the host, or check
 * its key, some other way than the config says (ProxyJump, HostKeyAlias, KnownHostsCommand) is a
 * Settings error. The debug lines name the files read and each keyword ignored. Pure functions
 * over the file system, JavaScript thread.
 * @packageDocumentation
 */
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');

import { DEFAULTS } from './codes';
import { debugSink } from './debug';
import { settingsError, shown } from './errors';
import { CONNECT_KEYS, HOST_KEY_KEYS } from './known-keys';
import { withinDeadline } from './open';
import { type ConnectOptions, debugOption, type HostKeyOptions } from './options';
import { type ResolvedSshConfig, resolveSshConfig, type SshConfigLocation, type SshConfigOptions } from './ssh-config';
import { optionsObject, requireMs, requirePort, requireString } from './validate';

/** OpenSSH's default identities, tried in this order when the config names none (ssh 9.x, without security keys). */
const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** A server silent for this many keepalive intervals is declared lost (the engine's fixed count). */
const KEEPALIVE_COUNT_MAX = 3;

/** Keywords the resolver lists as ignored whose absence would check the host key some other way. */
const REFUSED: Readonly<Record<string, string>> = {
  hostkeyalias:
    'HostKeyAlias is not supported: the host key would be looked up under the HostName and port instead of the alias, so a key recorded under the alias would not be found and accept-new would take any key (remove it for this host, or pin the key with hostKey.fingerprint)',
  knownhostscommand:
    'KnownHostsCommand is not supported: native-ssh does not run local commands, and the keys it would give would not be checked (remove it for this host, or give hostKey.knownHosts)',
};

/** `Settings error: sshConfig "<file>" line <n>: <problem>`, as the resolver's own errors. */
function lineError(at: SshConfigLocation, problem: string): never {
  throw settingsError('sshConfig', `${JSON.stringify(at.file)} line ${at.line}: ${problem}`);
}

/**
 * The `sshConfig` option: undefined when no config is read (absent or false), else the options
 * of the read (`file` absent: `~/.ssh/config` then `/etc/ssh/ssh_config`, as ssh).
 */
export function sshConfigOption(value: unknown): Pick<SshConfigOptions, 'file'> | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {};
  if (typeof value === 'string' && value !== '' && !value.includes('\0')) return { file: value };
  throw settingsError(
    'sshConfig',
    `must be true (~/.ssh/config, then /etc/ssh/ssh_config), the path of a config file (as ssh -F), or false (got ${shown(value)})`,
  );
}

/** True when the options give a way to log in (as the plan builder counts them). */
function loginGiven(options: ConnectOptions): boolean {
  return (
    options.password !== undefined ||
    options.privateKey !== undefined ||
    options.privateKeyPath !== undefined ||
    (options.agent !== undefined && options.agent !== false) ||
    options.keyboard !== undefined
  );
}

/** A regular file this process can read (a key file to offer). */
async function readable(file: string): Promise<boolean> {
  try {
    if (!(await fs.promises.stat(file)).isFile()) return false;
    await fs.promises.access(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The login the config gives, and how the debug line says it. */
interface ChosenLogin {
  login: { agent: true } | { privateKeyPath: string };
  said: string;
}

/**
 * The login when none was given, in OpenSSH's order of preference as far as one method goes:
 * IdentitiesOnly uses only the key files; else ssh-agent when SSH_AUTH_SOCK is set (unless a
 * passphrase or public key was given: those are for a key file); else the first readable
 * IdentityFile, or of OpenSSH's defaults when the config names none (as ssh, which adds the
 * defaults only then).
 */
async function chooseLogin(resolved: ResolvedSshConfig, forKeyFile: boolean): Promise<ChosenLogin> {
  const socket = process.env.SSH_AUTH_SOCK;
  const agentAllowed = resolved.identitiesOnly !== true && !forKeyFile;
  if (agentAllowed && socket !== undefined && socket !== '') return { login: { agent: true }, said: 'ssh-agent (SSH_AUTH_SOCK)' };
  const configured = resolved.identityFiles.length > 0;
  const candidates = configured ? resolved.identityFiles : DEFAULT_IDENTITIES.map((name) => path.join(os.homedir(), '.ssh', name));
  for (const file of candidates) {
    if (await readable(file)) return { login: { privateKeyPath: file }, said: `key file ${file} (${configured ? 'IdentityFile' : "OpenSSH's default"})` };
  }
  const why = [
    'no password, privateKey, privateKeyPath, agent or keyboard was given',
    agentAllowed
      ? 'SSH_AUTH_SOCK is not set'
      : resolved.identitiesOnly === true
        ? 'IdentitiesOnly yes leaves out ssh-agent'
        : 'a passphrase or public key is for a key file',
    `no ${configured ? 'IdentityFile' : 'default key file'} is a readable file (tried ${candidates.map((f) => JSON.stringify(f)).join(', ')})`,
  ];
  throw settingsError('sshConfig', `gives no way to log in to ${resolved.host}: ${why.join('; ')}`);
}

/** `[user@]host[:port]` of each hop, comma-separated (as written in ProxyJump). */
function hopsText(resolved: ResolvedSshConfig): string {
  return resolved.proxyJump.map((hop) => `${hop.user !== undefined ? `${hop.user}@` : ''}${hop.host}${hop.port !== undefined ? `:${hop.port}` : ''}`).join(',');
}

/** Refuses what the config asks for and native-ssh cannot do the same way. */
function refuseUnsupported(resolved: ResolvedSshConfig): void {
  if (resolved.proxyJump.length > 0) {
    const at = resolved.proxyJumpAt ?? { file: resolved.files[0] ?? '', line: 0 };
    lineError(
      at,
      `ProxyJump ${hopsText(resolved)} needs jump hosts, which are not supported yet (connecting directly would bypass the jump host; "ProxyJump none" for this host connects directly)`,
    );
  }
  for (const ignored of resolved.ignored) {
    const problem = REFUSED[ignored.keyword.toLowerCase()];
    if (problem !== undefined) lineError(ignored, problem);
  }
}

/**
 * The options with the config applied and `sshConfig` dropped, for the plan builder; the options
 * as they are when no config is to be read. The config (and the check of which key file to use)
 * is read within the explicit `connectTimeout` or the default, counted from `startedAt`.
 */
export async function applySshConfig(options: ConnectOptions, startedAt: number): Promise<ConnectOptions> {
  optionsObject(options, 'options', CONNECT_KEYS);
  const read = sshConfigOption(options.sshConfig);
  if (read === undefined) return options;
  const alias = requireString(options.host, 'host');
  const port = options.port === undefined ? undefined : requirePort(options.port, 'port');
  const username = options.username === undefined ? undefined : requireString(options.username, 'username');
  const connectTimeoutMs = requireMs(options.connectTimeout, 'connectTimeout', DEFAULTS.connectTimeoutMs);
  const hostKey = (options.hostKey === undefined || options.hostKey === null ? {} : optionsObject(options.hostKey, 'hostKey', HOST_KEY_KEYS)) as HostKeyOptions;
  const debug = debugSink(debugOption(options.debug), `sshConfig ${alias}`);
  const deadline = startedAt + connectTimeoutMs;
  const target = { host: alias, port: port ?? DEFAULTS.port, connectTimeoutMs };

  const resolveOptions: SshConfigOptions = { ...read };
  if (username !== undefined) resolveOptions.user = username;
  if (port !== undefined) resolveOptions.port = port;
  const resolved = await withinDeadline(target, deadline, 'reading the ssh config', (cancel) => resolveSshConfig(alias, { ...resolveOptions, cancel }));
  debug?.(resolved.files.length > 0 ? `read ${resolved.files.join(', ')}` : 'no config file found (~/.ssh/config, /etc/ssh/ssh_config)');
  for (const ignored of resolved.ignored) debug?.(`ignored ${ignored.keyword} (${ignored.file}:${ignored.line})`);
  if (resolved.serverAliveCountMax !== undefined && resolved.serverAliveCountMax !== KEEPALIVE_COUNT_MAX) {
    debug?.(
      `ServerAliveCountMax ${resolved.serverAliveCountMax} not used: native-ssh declares a server lost after ${KEEPALIVE_COUNT_MAX} silent keepalive intervals`,
    );
  }
  refuseUnsupported(resolved);

  const merged: Record<string, unknown> = { ...options, host: resolved.hostname, port: resolved.port, username: resolved.user };
  delete merged.sshConfig;
  if (options.connectTimeout == null && resolved.connectTimeoutMs !== undefined) merged.connectTimeout = resolved.connectTimeoutMs;
  if (options.keepaliveInterval == null && resolved.serverAliveIntervalMs !== undefined) merged.keepaliveInterval = resolved.serverAliveIntervalMs;
  const mergedHostKey: HostKeyOptions = { ...hostKey };
  if (hostKey.policy == null && resolved.strictHostKeyChecking !== undefined) mergedHostKey.policy = resolved.strictHostKeyChecking;
  if (hostKey.knownHosts == null && resolved.userKnownHostsFile !== undefined) mergedHostKey.knownHosts = resolved.userKnownHostsFile;
  merged.hostKey = mergedHostKey;
  if (!loginGiven(options)) {
    const forKeyFile = options.passphrase !== undefined || options.publicKey !== undefined;
    const chosen = await withinDeadline(target, deadline, 'choosing a key file from the ssh config', () => chooseLogin(resolved, forKeyFile));
    Object.assign(merged, chosen.login);
    debug?.(`login: ${chosen.said}`);
  }
  debug?.(`${alias} is ${resolved.user}@${resolved.hostname}:${resolved.port} (explicit options win over the config)`);
  return merged as unknown as ConnectOptions;
}
