/**
 * The idiomatic client's options ({@link ConnectOptions}, {@link ExecOptions}) and the one plan
 * builder both APIs use ({@link planFromOptions}; OPI settings are translated to these options
 * first). Every check runs before any network work and fails with a `Settings error: ...`
 * ({@link SshError} code `INVALID_SETTINGS`); unknown keys in any options object are errors too.
 * Pure functions, JavaScript thread.
 * @packageDocumentation
 */
import path = require('node:path');
import os = require('node:os');

import { DEFAULTS } from './codes';
import { settingsError, shown } from './errors';
import { isStdinSource, type StdinSource } from './exec-stdin';
import { ALGORITHM_KEYS, checkKeys, CONNECT_KEYS, EXEC_KEYS, HOST_KEY_KEYS, PROXY_KEYS, PTY_KEYS } from './known-keys';
import type { RawExecOptions } from './native';
import type { AlgorithmsPlan, AuthPlan, ConnectPlan, HostKeyPlan, ProxyPlan, ProxyType } from './plan';
import { algorithmList, keySource, optionsObject, publicKeySource, requireMs, requirePort, requireString } from './validate';

export type { ProxyType } from './plan';

/** A proxy for {@link ConnectOptions}' `proxy`. */
export interface ProxyOptions {
  /** `socks5` (default), `socks4` (SOCKS4a for host names) or `http` (CONNECT). */
  type?: ProxyType;
  /** The proxy's address (name or IP). */
  host: string;
  /** The proxy's port (1..65535). */
  port: number;
  /** SOCKS5 / HTTP: sent with `password` when both are given; SOCKS4: the user id. */
  login?: string;
  /** SOCKS5 / HTTP: sent with `login` when both are given; never appears in errors or logs. */
  password?: string;
}

/** What {@link HostKeyOptions.verify} is called with. */
export interface HostKeyCandidate {
  /** The key type, e.g. `ssh-ed25519`. */
  type: string;
  /** `SHA256:<base64>`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** The key blob as sent by the server. */
  key: Buffer;
  /** The host as given in {@link ConnectOptions} (with `sshConfig`, the config's HostName for the alias given). */
  host: string;
  port: number;
}

/** How the server's host key is checked (before any credential is sent). */
export interface HostKeyOptions {
  /**
   * `strict`: the host must be in known_hosts with this key; `accept-new` (default, as OpenSSH's
   * `StrictHostKeyChecking accept-new`): an unknown host is accepted and recorded in the
   * known_hosts file, a changed key is refused; `off`: no check (a `fingerprint` with it is a
   * Settings error).
   */
  policy?: 'strict' | 'accept-new' | 'off';
  /**
   * An OpenSSH known_hosts file (a regular file of at most 64 MiB). Default `~/.ssh/known_hosts`,
   * created 0600 in a 0700 `~/.ssh` when accept-new records the first host. A file that cannot
   * be written is reported once (`process.emitWarning`); the connection goes on.
   */
  knownHosts?: string;
  /** Record new hosts hashed (`|1|salt|hash`, OpenSSH's `HashKnownHosts`). Default false. */
  hashKnownHosts?: boolean;
  /** `SHA256:<base64>` pin the key must have. */
  fingerprint?: string;
  /** Called with the key after the policy accepted it (before a new host is recorded); return (or resolve to) anything but `true` to refuse. */
  verify?: (key: HostKeyCandidate) => boolean | Promise<boolean>;
}

/**
 * Algorithms to offer, each in order of preference (names as libssh2 knows them, e.g.
 * `aes256-gcm@openssh.com`): to harden, or to reach an old server. Absent lists get OpenSSH 9.x
 * client's defaults; an unknown name is a Settings error listing the supported ones.
 */
export interface AlgorithmOptions {
  /** Key exchange, e.g. `curve25519-sha256`. */
  kex?: string[];
  /** Ciphers, e.g. `chacha20-poly1305@openssh.com`. */
  cipher?: string[];
  /** MACs, e.g. `hmac-sha2-256-etm@openssh.com`. */
  mac?: string[];
  /** Host key algorithms, e.g. `ssh-ed25519`, `rsa-sha2-512`. */
  hostKey?: string[];
}

/** Where to connect and everything but the login method; see {@link ConnectOptions}. */
export interface ConnectionOptions {
  /** Host name or IP address of the SSH server. */
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** Connect through a SOCKS4/4a, SOCKS5 or HTTP CONNECT proxy. */
  proxy?: ProxyOptions;
  /** Bound on reading key and known_hosts files + DNS + TCP + proxy + handshake + login, in ms (at least 1). Default 30000. */
  connectTimeout?: number;
  /**
   * Gets each debug line (connect stages, host key, negotiated algorithms, login method, channels,
   * errors; never a secret). `NODE_DEBUG=native-ssh` prints the same lines to stderr.
   */
  debug?: (message: string) => void;
  /** Milliseconds between SSH keepalives; a server silent for three intervals while commands run is declared lost. Default 0 (off). */
  keepaliveInterval?: number;
  /** Default `timeout` of every command, in ms. Default 0 (none). */
  commandTimeout?: number;
  /** Algorithms to offer; see {@link AlgorithmOptions}. */
  algorithms?: AlgorithmOptions;
  /** Host-key checking; see {@link HostKeyOptions}. Default: `accept-new` against `~/.ssh/known_hosts`. */
  hostKey?: HostKeyOptions;
  /** `false` or absent: no OpenSSH client config is read; see {@link SshConfigConnectionOptions}. */
  sshConfig?: false;
}

/**
 * Where to connect when the OpenSSH client config fills in what is left out (docs/ssh-config.md):
 * `host` may be an alias; the config's HostName, User, Port, ConnectTimeout, ServerAliveInterval,
 * StrictHostKeyChecking and UserKnownHostsFile apply where these options do not say otherwise,
 * and its IdentityFile / IdentitiesOnly (or ssh-agent) give the login when none is given.
 */
export interface SshConfigConnectionOptions extends Omit<ConnectionOptions, 'username' | 'sshConfig'> {
  /**
   * `true`: `~/.ssh/config`, then `/etc/ssh/ssh_config` (as `ssh`); a path: that file only (as
   * `ssh -F`). Read (with what it includes) within `connectTimeout` (given, or the default: the
   * config's ConnectTimeout cannot bound reading the config).
   */
  sshConfig: true | string;
  /** Default: the config's User, else the local user name. */
  username?: string;
}

/**
 * No login given, with {@link SshConfigConnectionOptions}: the config's IdentityFile (when
 * IdentitiesOnly), else ssh-agent (`SSH_AUTH_SOCK`), else the first readable IdentityFile or
 * `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`. A `passphrase` is for that key file (the agent is
 * then not used).
 */
export interface ConfigLogin {
  /** Passphrase of the config's (encrypted) key file. */
  passphrase?: string;
  password?: never;
  privateKey?: never;
  privateKeyPath?: never;
  publicKey?: never;
  agent?: false;
  keyboard?: never;
}

/** Log in with a password (it also answers keyboard-interactive prompts, as PAM servers ask). */
export interface PasswordLogin {
  /** The password; also the answer to every keyboard-interactive prompt when the server asks that way. */
  password: string;
  privateKey?: never;
  privateKeyPath?: never;
  publicKey?: never;
  passphrase?: never;
  agent?: false;
  keyboard?: never;
}

/** Log in with a private key given as text (PEM or OpenSSH, string or Buffer, at most 1 MiB), used from memory. */
export interface PrivateKeyLogin {
  /** Key text, used from memory (never written to disk). */
  privateKey: string | Buffer;
  privateKeyPath?: never;
  /** Optional public key, text or a file path. */
  publicKey?: string | Buffer;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  password?: never;
  agent?: false;
  keyboard?: never;
}

/** Log in with a private key file. */
export interface PrivateKeyPathLogin {
  /** Path of a private key file (a regular file of at most 1 MiB), read before connecting, within `connectTimeout`. */
  privateKeyPath: string;
  privateKey?: never;
  /** Optional public key, text or a file path. */
  publicKey?: string | Buffer;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  password?: never;
  agent?: false;
  keyboard?: never;
}

/** Log in through ssh-agent (every identity it holds is tried). */
export interface AgentLogin {
  /** `true` uses `SSH_AUTH_SOCK`; a string is the agent's socket path. */
  agent: true | string;
  password?: never;
  privateKey?: never;
  privateKeyPath?: never;
  publicKey?: never;
  passphrase?: never;
  keyboard?: never;
}

/** Log in with keyboard-interactive answers. */
export interface KeyboardLogin {
  /** Answers, used in order across all prompts of all rounds. */
  keyboard: string[];
  password?: never;
  privateKey?: never;
  privateKeyPath?: never;
  publicKey?: never;
  passphrase?: never;
  agent?: false;
}

/** Exactly one way to log in: the members of this union exclude each other. */
export type LoginOptions = PasswordLogin | PrivateKeyLogin | PrivateKeyPathLogin | AgentLogin | KeyboardLogin;

/**
 * Options of {@link connect}: where to connect ({@link ConnectionOptions}) and exactly one way to
 * log in ({@link LoginOptions}: `password`, `privateKey`, `privateKeyPath`, `agent` or
 * `keyboard`); an object without one does not compile. With `sshConfig`
 * ({@link SshConfigConnectionOptions}), `username` and the login may be left to the OpenSSH
 * client config. Unknown keys (here and in every nested object) are Settings errors at run time,
 * with the name to use for ssh2's and node-ssh's. Durations are in milliseconds, at most 2^31-1
 * (about 24.8 days).
 */
export type ConnectOptions = (ConnectionOptions & LoginOptions) | (SshConfigConnectionOptions & (LoginOptions | ConfigLogin));

/** Options of {@link Connection.exec} and {@link Connection.stream}. */
export interface ExecOptions {
  /**
   * The command's stdin, then EOF: a string (UTF-8) or Buffer sent as it is; a `Readable` or any
   * async iterable of Buffers or strings, streamed with backpressure (the source is read only as
   * fast as the channel takes it; a source that fails ends the command with `STDIN_FAILED`); or,
   * with `Connection.stream()` only, `'pipe'`: the stream's `stdin` is then a `Writable` (to send
   * the text "pipe" itself, pass `Buffer.from('pipe')`).
   */
  stdin?: string | Buffer | StdinSource | 'pipe';
  /** `utf8` (default; invalid bytes become U+FFFD, the text around them is kept) or `buffer`. */
  encoding?: 'utf8' | 'buffer';
  /**
   * Milliseconds the command may run; then it is signalled, its channel closed, and the call
   * rejects with `TIMEOUT`. Default: the connection's `commandTimeout`; 0: no bound.
   */
  timeout?: number;
  /** Aborting rejects the call with `ABORTED` and closes the channel (the connection stays usable). */
  signal?: AbortSignal;
  /** Environment variables, sent as SSH `env` requests (sshd applies only names in its `AcceptEnv`). */
  env?: Record<string, string>;
  /** Run the command on a pseudo-terminal (`true`: xterm, 80x24). */
  pty?: boolean | { term?: string; cols?: number; rows?: number };
  /** Bytes of stdout and of stderr to keep (each); the rest is drained and dropped, and the result says so. Default: no cap. */
  maxBuffer?: number;
}

/**
 * Validates {@link ExecOptions} into the engine's form. `use`: `stream` allows `stdin: 'pipe'`.
 * A streamed stdin (a source or `'pipe'`) gives `stdinStream: true`; the caller feeds it.
 */
export function rawExecOptions(command: string, options: ExecOptions, defaultTimeoutMs: number, use: 'exec' | 'stream' = 'exec'): RawExecOptions {
  requireString(command, 'command');
  optionsObject(options, 'options', EXEC_KEYS);
  if (options.encoding !== undefined && options.encoding !== 'utf8' && options.encoding !== 'buffer') {
    throw settingsError('encoding', `must be "utf8" or "buffer" (got ${shown(options.encoding)})`);
  }
  const raw: RawExecOptions = { command };
  if (options.stdin !== undefined) {
    const forms = `a string, a Buffer, a Readable or an async iterable of Buffers or strings${use === 'stream' ? ", or 'pipe'" : ''}`;
    if (options.stdin === 'pipe') {
      if (use !== 'stream') {
        throw settingsError('stdin', "'pipe' is for conn.stream(), whose stdin is then a Writable (to send the text \"pipe\", pass Buffer.from('pipe'))");
      }
      raw.stdinStream = true;
    } else if (typeof options.stdin === 'string') raw.stdin = Buffer.from(options.stdin, 'utf8');
    else if (Buffer.isBuffer(options.stdin)) raw.stdin = options.stdin;
    else if (isStdinSource(options.stdin)) raw.stdinStream = true;
    else throw settingsError('stdin', `must be ${forms} (got ${shown(options.stdin)})`);
  }
  // 0 turns the connection's commandTimeout off for this command.
  const timeout = requireMs(options.timeout, 'timeout', defaultTimeoutMs, 'none');
  if (timeout > 0) raw.timeoutMs = timeout;
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw settingsError('signal', 'must be an AbortSignal');
  }
  if (options.env !== undefined) {
    if (typeof options.env !== 'object' || options.env === null) throw settingsError('env', 'must be an object of strings');
    for (const [name, value] of Object.entries(options.env)) {
      if (typeof value !== 'string') throw settingsError(`env.${name}`, 'must be a string');
    }
    raw.env = options.env;
  }
  if (options.pty !== undefined && options.pty !== false) {
    const pty = options.pty === true ? {} : options.pty;
    if (typeof pty !== 'object' || pty === null || Array.isArray(pty)) throw settingsError('pty', 'must be true or {term, cols, rows}');
    checkKeys(pty, PTY_KEYS);
    const size = (value: unknown, field: string, fallback: number): number => {
      if (value === undefined) return fallback;
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 10000) throw settingsError(field, 'must be an integer from 1 to 10000');
      return value as number;
    };
    raw.pty = {
      term: pty.term === undefined ? DEFAULTS.ptyTerm : requireString(pty.term, 'pty.term'),
      cols: size(pty.cols, 'pty.cols', DEFAULTS.ptyCols),
      rows: size(pty.rows, 'pty.rows', DEFAULTS.ptyRows),
    };
  }
  if (options.maxBuffer !== undefined) {
    if (!Number.isInteger(options.maxBuffer) || options.maxBuffer < 1 || options.maxBuffer > 2 ** 32 - 1) {
      throw settingsError('maxBuffer', 'must be an integer number of bytes from 1 to 4294967295');
    }
    raw.maxStdout = options.maxBuffer;
    raw.maxStderr = options.maxBuffer;
  }
  return raw;
}

/**
 * The names messages give the options, by their idiomatic path (`hostKey.policy`), when
 * the options were translated from another API's settings (lib/opi/to-options.ts); a path not
 * listed keeps its own name.
 */
export type FieldNames = Readonly<Partial<Record<string, string>>>;

/**
 * The one plan builder: validates idiomatic {@link ConnectOptions} (or OPI settings translated to
 * them) into a {@link ConnectPlan}. Every failure is a Settings error naming the field as the
 * caller wrote it (`names`).
 */
export function planFromOptions(options: ConnectOptions, names: FieldNames = {}): ConnectPlan {
  const name = (field: string): string => names[field] ?? field;
  optionsObject(options, 'options', CONNECT_KEYS);
  const hostKey =
    options.hostKey === undefined || options.hostKey === null
      ? {}
      : (optionsObject(options.hostKey, 'hostKey', HOST_KEY_KEYS) as NonNullable<ConnectOptions['hostKey']>);
  const host = requireString(options.host, name('host'));
  const port = options.port === undefined ? DEFAULTS.port : requirePort(options.port, name('port'));
  const username = requireString(options.username, name('username'));
  const plan: ConnectPlan = {
    host,
    port,
    username,
    auth: authPlan(options, name),
    connectTimeoutMs: requireMs(options.connectTimeout, name('connectTimeout'), DEFAULTS.connectTimeoutMs),
    commandTimeoutMs: requireMs(options.commandTimeout, name('commandTimeout'), 0, 'none'),
    keepaliveIntervalMs: requireMs(options.keepaliveInterval, name('keepaliveInterval'), 0, 'off'),
    hostKey: hostKeyPlan(hostKey, name),
  };
  const debug = debugOption(options.debug);
  if (debug !== undefined) plan.debug = debug;
  if (options.algorithms !== undefined) {
    const given = optionsObject(options.algorithms, 'algorithms', ALGORITHM_KEYS);
    const algorithms: AlgorithmsPlan = {};
    for (const key of ['kex', 'cipher', 'mac', 'hostKey'] as const) {
      const list = algorithmList(given[key], name(`algorithms.${key}`));
      if (list !== undefined) algorithms[key] = list;
    }
    plan.algorithms = algorithms;
  }
  if (hostKey.verify !== undefined) {
    if (typeof hostKey.verify !== 'function') throw settingsError('hostKey.verify', 'must be a function');
    plan.hostKey.verify = hostKey.verify;
  }
  if (options.proxy !== undefined) plan.proxy = proxyPlan(options.proxy, name);
  return plan;
}

/** The `debug` option: a function, or undefined. */
export function debugOption(value: unknown): ((message: string) => void) | undefined {
  if (value !== undefined && typeof value !== 'function') throw settingsError('debug', `must be a function taking one line of text (got ${shown(value)})`);
  return value as ((message: string) => void) | undefined;
}

/** Exactly one way to log in, validated. */
function authPlan(options: ConnectOptions, name: (field: string) => string): AuthPlan {
  const methods = [
    options.password !== undefined,
    options.privateKey !== undefined || options.privateKeyPath !== undefined,
    options.agent !== undefined && options.agent !== false,
    options.keyboard !== undefined,
  ].filter(Boolean).length;
  if (methods !== 1) {
    throw settingsError('password | privateKey | privateKeyPath | agent | keyboard', `must give exactly one way to log in (got ${methods})`);
  }
  if (options.password !== undefined) {
    if (typeof options.password !== 'string') throw settingsError(name('password'), 'must be a string');
    return { type: 'password', password: options.password };
  }
  if (options.privateKey !== undefined || options.privateKeyPath !== undefined) {
    if (options.privateKey !== undefined && options.privateKeyPath !== undefined) {
      throw settingsError('privateKey | privateKeyPath', 'give one of them, not both (privateKey: key text; privateKeyPath: a file)');
    }
    const key =
      options.privateKeyPath !== undefined
        ? { path: requireString(options.privateKeyPath, 'privateKeyPath'), field: 'privateKeyPath' }
        : keySource(options.privateKey, name('privateKey'));
    const plan: AuthPlan = { type: 'private_key', privateKey: key };
    if (options.publicKey !== undefined) plan.publicKey = publicKeySource(options.publicKey, name('publicKey'));
    if (options.passphrase !== undefined) {
      if (typeof options.passphrase !== 'string') throw settingsError(name('passphrase'), 'must be a string');
      if (options.passphrase !== '') plan.passphrase = options.passphrase;
    }
    return plan;
  }
  if (options.keyboard !== undefined) {
    if (!Array.isArray(options.keyboard) || options.keyboard.length === 0 || Array.from(options.keyboard).some((a) => typeof a !== 'string')) {
      throw settingsError(name('keyboard'), 'must be a non-empty array of strings');
    }
    return { type: 'keyboard_interactive', responses: options.keyboard };
  }
  return typeof options.agent === 'string' ? { type: 'agent', agentSocket: requireString(options.agent, 'agent') } : { type: 'agent' };
}

const POLICIES = ['strict', 'accept-new', 'off'] as const;
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** The default known_hosts file (accept-new records new hosts in it, as ssh does). */
function defaultKnownHosts(): string {
  return path.join(os.homedir(), '.ssh', 'known_hosts');
}

/** The host-key check: policy, known_hosts file, pin (`verify` is added by the caller). */
function hostKeyPlan(options: HostKeyOptions, name: (field: string) => string): HostKeyPlan {
  const field = {
    policy: name('hostKey.policy'),
    knownHosts: name('hostKey.knownHosts'),
    fingerprint: name('hostKey.fingerprint'),
    hash: name('hostKey.hashKnownHosts'),
  };
  const { policy, knownHosts, fingerprint, hashKnownHosts: hash } = options as Record<string, unknown>;
  let chosen: HostKeyPlan['policy'] = 'accept-new';
  if (policy !== undefined && policy !== null) {
    if (typeof policy !== 'string' || !(POLICIES as readonly string[]).includes(policy)) {
      throw settingsError(field.policy, `must be "strict", "accept-new" or "off" (got ${shown(policy)})`);
    }
    chosen = policy as HostKeyPlan['policy'];
  }
  const plan: HostKeyPlan = { policy: chosen, knownHostsPath: defaultKnownHosts(), explicit: false, knownHostsField: field.knownHosts, hash: false };
  if (hash !== undefined && hash !== null) {
    if (typeof hash !== 'boolean') throw settingsError(field.hash, `must be true or false (got ${shown(hash)})`);
    plan.hash = hash;
  }
  if (knownHosts !== undefined && knownHosts !== null) {
    plan.knownHostsPath = path.resolve(requireString(knownHosts, field.knownHosts));
    plan.explicit = true;
  }
  if (fingerprint !== undefined && fingerprint !== null) {
    if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) {
      throw settingsError(field.fingerprint, `must be "SHA256:" and 43 base64 characters, as ssh-keygen -l prints it (got ${shown(fingerprint)})`);
    }
    if (chosen === 'off') {
      throw settingsError(
        field.fingerprint,
        `cannot be used with ${field.policy} "off", which checks nothing: pin the key with "strict" or "accept-new", or drop the pin`,
      );
    }
    plan.fingerprint = fingerprint;
  }
  return plan;
}

/** A proxy: SOCKS5 unless `type` says otherwise. */
function proxyPlan(value: unknown, name: (field: string) => string): ProxyPlan {
  const proxy = optionsObject(value, 'proxy', PROXY_KEYS) as unknown as ProxyOptions;
  const type = proxy.type ?? 'socks5';
  if (type !== 'socks5' && type !== 'socks4' && type !== 'http') {
    throw settingsError(name('proxy.type'), `must be "socks5", "socks4" or "http" (got ${shown(type)})`);
  }
  const plan: ProxyPlan = { type, host: requireString(proxy.host, name('proxy.host')), port: requirePort(proxy.port, name('proxy.port')) };
  if (proxy.login !== undefined) {
    if (typeof proxy.login !== 'string') throw settingsError(name('proxy.login'), 'must be a string');
    plan.login = proxy.login;
  }
  if (proxy.password !== undefined) {
    if (typeof proxy.password !== 'string') throw settingsError(name('proxy.password'), 'must be a string');
    plan.password = proxy.password;
  }
  return plan;
}
