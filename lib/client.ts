/**
 * The idiomatic promise-based client: {@link connect}, {@link Connection.exec},
 * {@link Connection.close} and the one-shot {@link exec}. The OPI functions are a thin layer over
 * this file.
 * @packageDocumentation
 */
import dns = require('node:dns');
import fs = require('node:fs');
import net = require('node:net');
import util = require('node:util');

import { SshError, settingsError, shown } from './errors';
import {
  cancelRequest,
  newSessionHandle,
  RawAddress,
  RawConnectOptions,
  RawEvent,
  RawExecOptions,
  SessionHandle,
  submit,
} from './native';
import {
  algorithmList,
  AlgorithmsPlan,
  AuthPlan,
  ConnectPlan,
  HostKeyPlan,
  keySource,
  parseHostKey,
  ProxyPlan,
  publicKeySource,
  requireMs,
  requirePort,
  requireString,
} from './settings';

/** A proxy for {@link ConnectOptions.proxy}. */
export interface ProxyOptions {
  /** `socks5` (default), `socks4` (SOCKS4a for host names) or `http` (CONNECT). */
  type?: 'socks5' | 'socks4' | 'http';
  host: string;
  port: number;
  /** SOCKS5 / HTTP: used with `password`; SOCKS4: the user id. */
  login?: string;
  password?: string;
}

/** Options of {@link connect}. Give exactly one way to log in. */
export interface ConnectOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  password?: string;
  /** Key text (PEM or OpenSSH, string or Buffer), used from memory. */
  privateKey?: string | Buffer;
  /** Path of a private key file, read before connecting. */
  privateKeyPath?: string;
  /** Optional public key text or path. */
  publicKey?: string | Buffer;
  passphrase?: string;
  /** Log in through ssh-agent: `true` uses `SSH_AUTH_SOCK`, a string is the agent's socket path. */
  agent?: boolean | string;
  /** Keyboard-interactive answers, used in order across all prompts. */
  keyboard?: string[];
  proxy?: ProxyOptions;
  /** Bound on DNS + TCP + proxy + handshake + login, in ms. Default 30000. */
  connectTimeout?: number;
  /** Milliseconds between SSH keepalives; a server silent for three intervals while commands run is declared lost. Default 0 (off). */
  keepaliveInterval?: number;
  /** Default `timeout` of every command, in ms. Default 0 (none). */
  commandTimeout?: number;
  /**
   * Host-key checking. `policy`: `strict` (the host must be in known_hosts with this key),
   * `accept-new` (default: unknown hosts are accepted, and recorded when `knownHosts` is given;
   * a changed key is refused), `off`. `knownHosts`: an OpenSSH known_hosts file (default
   * `~/.ssh/known_hosts`, read only). `fingerprint`: `SHA256:...` pin. `verify`: called with the
   * key after the policy accepted it; return false to refuse.
   */
  /**
   * Algorithms to offer, each in order of preference (names as libssh2 knows them, e.g.
   * `aes256-gcm@openssh.com`): useful to harden, or to reach an old server.
   */
  algorithms?: { kex?: string[]; cipher?: string[]; mac?: string[]; hostKey?: string[] };
  hostKey?: {
    policy?: 'strict' | 'accept-new' | 'off';
    knownHosts?: string;
    fingerprint?: string;
    verify?: (key: { type: string; fingerprint: string; key: Buffer; host: string; port: number }) => boolean | Promise<boolean>;
  };
}

/** Options of {@link Connection.exec} and {@link Connection.stream}. */
export interface ExecOptions {
  /** Bytes sent to the command's stdin before EOF. */
  stdin?: string | Buffer;
  /** `utf8` (default; invalid bytes become U+FFFD, the text around them is kept) or `buffer`. */
  encoding?: 'utf8' | 'buffer';
  /** Milliseconds the command may run; then it is signalled, its channel closed, and the call rejects with `TIMEOUT`. */
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

/** What a command did. A non-zero exit is a result, not an error. */
export interface ExecResult<T extends string | Buffer = string> {
  stdout: T;
  stderr: T;
  /** The exit status, or `null` when the command was ended by a signal. */
  exitCode: number | null;
  /** The signal name without `SIG` (e.g. `TERM`) when a signal ended the command, else `null`. */
  signal: string | null;
  /** Present and true when `maxBuffer` cut stdout. */
  stdoutTruncated?: boolean;
  /** Present and true when `maxBuffer` cut stderr. */
  stderrTruncated?: boolean;
}

/** One piece of a streamed command's output. */
export interface ExecChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** How a streamed command ended. */
export interface ExecExit {
  exitCode: number | null;
  signal: string | null;
}

/**
 * A command whose output arrives as it is produced: iterate it with `for await`. Reading is
 * flow-controlled: while the consumer does not pull, the engine stops reading the channel and the
 * server's window closes, so memory stays bounded.
 */
export interface ExecStream extends AsyncIterable<ExecChunk> {
  /** Settles when the command has ended (after the last chunk); rejects like {@link Connection.exec}. */
  readonly done: Promise<ExecExit>;
}

/** The server's host key as presented during the key exchange. */
export interface HostKeyInfo {
  /** e.g. `ssh-ed25519`. */
  type: string;
  /** `SHA256:<base64>`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** Algorithms negotiated for the connection. */
export interface NegotiatedAlgorithms {
  kex: string;
  hostKey: string;
  cipherClientToServer: string;
  cipherServerToClient: string;
  macClientToServer: string;
  macServerToClient: string;
}

const connectionInternals = new WeakMap<Connection, SessionHandle>();

/**
 * An open SSH connection. Commands run in parallel, each on its own channel. Close it with
 * {@link Connection.close} (or `await using`); one that is garbage-collected unclosed is closed
 * by the engine, and an idle one never keeps the process alive.
 */
export class Connection {
  /** The host as given. */
  readonly host: string;
  readonly port: number;
  readonly username: string;
  /** The server's host key. */
  readonly hostKey: HostKeyInfo;
  /** The server's identification string, e.g. `SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6`. */
  readonly serverBanner: string;
  /** Negotiated algorithms. */
  readonly algorithms: NegotiatedAlgorithms;
  /** Default command bound in ms (OPI `command_timeout`); 0 = none. */
  readonly commandTimeoutMs: number;
  /** known_hosts lines that were skipped while checking this host, with the reason. */
  readonly knownHostsNotes: string[];
  #closed = false;
  #closing: Promise<void> | undefined;

  /** @internal Made by {@link connect}. */
  constructor(handle: SessionHandle, plan: ConnectPlan, info: Record<string, string>) {
    connectionInternals.set(this, handle);
    this.host = plan.host;
    this.port = plan.port;
    this.username = plan.username;
    this.commandTimeoutMs = plan.commandTimeoutMs;
    this.hostKey = { type: info.host_key_type ?? 'unknown', fingerprint: info.host_key_fingerprint ?? '' };
    this.serverBanner = info.banner ?? '';
    this.knownHostsNotes = info.known_hosts_notes ? info.known_hosts_notes.split('\n') : [];
    this.algorithms = {
      kex: info.kex ?? '',
      hostKey: info.host_key_algorithm ?? '',
      cipherClientToServer: info.cipher_cs ?? '',
      cipherServerToClient: info.cipher_sc ?? '',
      macClientToServer: info.mac_cs ?? '',
      macServerToClient: info.mac_sc ?? '',
    };
  }

  /** True once {@link Connection.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `command` on a new channel and collects its output. */
  exec(command: string, options?: ExecOptions & { encoding?: 'utf8' }): Promise<ExecResult<string>>;
  exec(command: string, options: ExecOptions & { encoding: 'buffer' }): Promise<ExecResult<Buffer>>;
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult<string> | ExecResult<Buffer>> {
    const encoding = options.encoding ?? 'utf8';
    if (encoding !== 'utf8' && encoding !== 'buffer') {
      throw settingsError('encoding', `must be "utf8" or "buffer" (got ${shown(encoding)})`);
    }
    const raw = await this.execRaw(rawExecOptions(command, options, this.commandTimeoutMs), options.signal);
    if (encoding === 'buffer') return raw;
    const result: ExecResult<string> = {
      stdout: raw.stdout.toString('utf8'),
      stderr: raw.stderr.toString('utf8'),
      exitCode: raw.exitCode,
      signal: raw.signal,
    };
    if (raw.stdoutTruncated) result.stdoutTruncated = true;
    if (raw.stderrTruncated) result.stderrTruncated = true;
    return result;
  }

  /**
   * Runs `command` and yields its output as it arrives (stdout and stderr told apart), with
   * backpressure. `options.encoding` and `maxBuffer` do not apply.
   */
  stream(command: string, options: ExecOptions = {}): ExecStream {
    const rawOptions = { ...rawExecOptions(command, options, this.commandTimeoutMs), stream: true };
    const queue: ExecChunk[] = [];
    let waiter: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    let exit: ExecExit | undefined;
    let started = false;
    let requestId = 0;
    const handle = connectionInternals.get(this);
    let settleDone: (value: ExecExit) => void = () => undefined;
    let failDone: (error: unknown) => void = () => undefined;
    const done = new Promise<ExecExit>((resolve, reject) => {
      settleDone = resolve;
      failDone = reject;
    });
    done.catch(() => undefined);
    const wake = (): void => {
      const w = waiter;
      waiter = undefined;
      w?.();
    };
    const start = (): void => {
      started = true;
      requestId = this.submitExec(rawOptions, options.signal, (event) => {
        if (event.kind === 'data' && event.data !== undefined) {
          queue.push({ stream: event.stream ?? 'stdout', data: event.data });
        } else if (event.final) {
          finished = true;
          if (!event.ok) failure = new SshError(event.error ?? { code: 'CHANNEL_FAILED', level: 'channel', message: 'Channel error' });
          else exit = { exitCode: event.exitSignal !== undefined ? null : (event.exitStatus ?? null), signal: event.exitSignal ?? null };
          if (failure !== undefined) failDone(failure);
          else if (exit !== undefined) settleDone(exit);
        }
        wake();
      }, (error) => {
        finished = true;
        failure = error;
        failDone(error);
        wake();
      });
    };
    const iterator = async function* (): AsyncGenerator<ExecChunk> {
      if (!started) start();
      for (;;) {
        const chunk = queue.shift();
        if (chunk !== undefined) {
          // The consumer took this chunk: let the engine read that much more.
          if (handle !== undefined && requestId !== 0 && !finished) handle.ackExec(requestId, chunk.data.length);
          yield chunk;
          continue;
        }
        if (finished) {
          if (failure !== undefined) throw failure;
          return;
        }
        await new Promise<void>((resolve) => { waiter = resolve; });
      }
    };
    return {
      done,
      [Symbol.asyncIterator]: () => iterator(),
    };
  }

  /** @internal Submits a command; `onEvent` gets its events, `onError` a failure to start. */
  submitExec(raw: RawExecOptions, signal: AbortSignal | undefined, onEvent: (event: RawEvent) => void, onError: (error: unknown) => void): number {
    const handle = connectionInternals.get(this);
    if (this.#closed || handle === undefined) {
      onError(new SshError({ code: 'NOT_CONNECTED', level: 'channel', message: 'No session: the connection is closed' }));
      return 0;
    }
    if (signal?.aborted) {
      onError(abortError(signal));
      return 0;
    }
    const onAbort = (): void => handle.cancelExec(id, 'ABORTED', abortError(signal as AbortSignal).message);
    // The handler keeps this connection reachable while the command runs.
    const id = submit((event: RawEvent) => {
      void this;
      if (event.final) signal?.removeEventListener('abort', onAbort);
      onEvent(event);
    });
    try {
      handle.exec(id, raw);
    } catch (error) {
      cancelRequest(id);
      onError(error);
      return 0;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    return id;
  }

  /** @internal Bytes-level exec shared by both APIs. */
  execRaw(raw: RawExecOptions, signal?: AbortSignal): Promise<ExecResult<Buffer>> {
    return new Promise((resolve, reject) => {
      this.submitExec(raw, signal, (event) => {
        if (!event.final) return;
        if (!event.ok) {
          reject(new SshError(event.error ?? { code: 'CHANNEL_FAILED', level: 'channel', message: 'Channel error' }));
          return;
        }
        const result: ExecResult<Buffer> = {
          stdout: event.stdout ?? Buffer.alloc(0),
          stderr: event.stderr ?? Buffer.alloc(0),
          exitCode: event.exitSignal !== undefined ? null : (event.exitStatus ?? null),
          signal: event.exitSignal ?? null,
        };
        if (event.stdoutTruncated) result.stdoutTruncated = true;
        if (event.stderrTruncated) result.stderrTruncated = true;
        resolve(result);
      }, reject);
    });
  }

  /** Settles pending commands, sends an SSH disconnect and frees the connection. Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const handle = connectionInternals.get(this);
    this.#closing = new Promise<void>((resolve) => {
      if (handle === undefined) {
        resolve();
        return;
      }
      const id = submit(() => resolve());
      try {
        handle.close(id);
      } catch {
        cancelRequest(id);
        resolve();
      }
    });
    return this.#closing;
  }

  /** `await using conn = await connect(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** What `util.inspect` shows: no secrets are held, and none are shown. */
  [util.inspect.custom](): string {
    return `Connection { ${this.username}@${this.host}:${this.port}, hostKey: ${this.hostKey.type} ${this.hostKey.fingerprint}, ${this.#closed ? 'closed' : 'open'} }`;
  }

  /** JSON view of a connection: public facts only. */
  toJSON(): Record<string, unknown> {
    return {
      host: this.host,
      port: this.port,
      username: this.username,
      hostKey: this.hostKey,
      closed: this.#closed,
    };
  }
}

function abortError(signal: AbortSignal): SshError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new SshError({ code: 'ABORTED', level: 'channel', message: `Aborted: the command was cancelled${reason}` });
}

/** Validates {@link ExecOptions} into the engine's form. */
export function rawExecOptions(command: string, options: ExecOptions, defaultTimeoutMs: number): RawExecOptions {
  requireString(command, 'command');
  if (typeof options !== 'object' || options === null) throw settingsError('options', 'must be an object');
  const raw: RawExecOptions = { command };
  if (options.stdin !== undefined) {
    if (typeof options.stdin === 'string') raw.stdin = Buffer.from(options.stdin, 'utf8');
    else if (Buffer.isBuffer(options.stdin)) raw.stdin = options.stdin;
    else throw settingsError('stdin', 'must be a string or a Buffer');
  }
  const timeout = requireMs(options.timeout, 'timeout', defaultTimeoutMs, true);
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
    if (typeof pty !== 'object' || pty === null) throw settingsError('pty', 'must be true or {term, cols, rows}');
    const size = (value: unknown, field: string, fallback: number): number => {
      if (value === undefined) return fallback;
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 10000) throw settingsError(field, 'must be an integer from 1 to 10000');
      return value as number;
    };
    raw.pty = {
      term: pty.term === undefined ? 'xterm' : requireString(pty.term, 'pty.term'),
      cols: size(pty.cols, 'pty.cols', 80),
      rows: size(pty.rows, 'pty.rows', 24),
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

/** Validates idiomatic {@link ConnectOptions} into a plan. */
export function planFromOptions(options: ConnectOptions): ConnectPlan {
  if (typeof options !== 'object' || options === null) {
    throw settingsError('options', 'must be an object');
  }
  const host = requireString(options.host, 'host');
  const port = options.port === undefined ? 22 : requirePort(options.port, 'port');
  const username = requireString(options.username, 'username');
  const methods = [
    options.password !== undefined,
    options.privateKey !== undefined || options.privateKeyPath !== undefined,
    options.agent !== undefined && options.agent !== false,
    options.keyboard !== undefined,
  ].filter(Boolean).length;
  if (methods !== 1) {
    throw settingsError('password | privateKey | privateKeyPath | agent | keyboard', `must give exactly one way to log in (got ${methods})`);
  }
  let auth: AuthPlan;
  if (options.password !== undefined) {
    if (typeof options.password !== 'string') throw settingsError('password', 'must be a string');
    auth = { type: 'password', password: options.password };
  } else if (options.privateKey !== undefined || options.privateKeyPath !== undefined) {
    const key = options.privateKeyPath !== undefined
      ? { path: requireString(options.privateKeyPath, 'privateKeyPath') }
      : keySource(options.privateKey, 'privateKey');
    const plan: AuthPlan = { type: 'private_key', privateKey: key };
    if (options.publicKey !== undefined) plan.publicKey = publicKeySource(options.publicKey, 'publicKey');
    if (options.passphrase !== undefined) {
      if (typeof options.passphrase !== 'string') throw settingsError('passphrase', 'must be a string');
      if (options.passphrase !== '') plan.passphrase = options.passphrase;
    }
    auth = plan;
  } else if (options.keyboard !== undefined) {
    if (!Array.isArray(options.keyboard) || options.keyboard.length === 0 || Array.from(options.keyboard).some((a) => typeof a !== 'string')) {
      throw settingsError('keyboard', 'must be a non-empty array of strings');
    }
    auth = { type: 'keyboard_interactive', responses: options.keyboard };
  } else {
    auth = typeof options.agent === 'string'
      ? { type: 'agent', agentSocket: requireString(options.agent, 'agent') }
      : { type: 'agent' };
  }
  const plan: ConnectPlan = {
    host,
    port,
    username,
    auth,
    connectTimeoutMs: requireMs(options.connectTimeout, 'connectTimeout', 30000, false),
    commandTimeoutMs: requireMs(options.commandTimeout, 'commandTimeout', 0, true),
    keepaliveIntervalMs: requireMs(options.keepaliveInterval, 'keepaliveInterval', 0, true),
    hostKey: parseHostKey(options.hostKey?.policy, options.hostKey?.knownHosts, options.hostKey?.fingerprint,
      { policy: 'hostKey.policy', knownHosts: 'hostKey.knownHosts', fingerprint: 'hostKey.fingerprint' }),
  };
  if (options.algorithms !== undefined) {
    if (typeof options.algorithms !== 'object' || options.algorithms === null) throw settingsError('algorithms', 'must be an object');
    const algorithms: AlgorithmsPlan = {};
    for (const key of ['kex', 'cipher', 'mac', 'hostKey'] as const) {
      const list = algorithmList(options.algorithms[key], `algorithms.${key}`);
      if (list !== undefined) algorithms[key] = list;
    }
    plan.algorithms = algorithms;
  }
  if (options.hostKey?.verify !== undefined) {
    if (typeof options.hostKey.verify !== 'function') throw settingsError('hostKey.verify', 'must be a function');
    plan.hostKey.verify = options.hostKey.verify;
  }
  if (options.proxy !== undefined) {
    const proxy = options.proxy;
    if (typeof proxy !== 'object' || proxy === null) throw settingsError('proxy', 'must be an object');
    const type = proxy.type ?? 'socks5';
    if (type !== 'socks5' && type !== 'socks4' && type !== 'http') {
      throw settingsError('proxy.type', `must be "socks5", "socks4" or "http" (got ${shown(type)})`);
    }
    const proxyPlan: ProxyPlan = { type, host: requireString(proxy.host, 'proxy.host'), port: requirePort(proxy.port, 'proxy.port') };
    if (proxy.login !== undefined) {
      if (typeof proxy.login !== 'string') throw settingsError('proxy.login', 'must be a string');
      proxyPlan.login = proxy.login;
    }
    if (proxy.password !== undefined) {
      if (typeof proxy.password !== 'string') throw settingsError('proxy.password', 'must be a string');
      proxyPlan.password = proxy.password;
    }
    plan.proxy = proxyPlan;
  }
  return plan;
}

function timeoutError(plan: ConnectPlan, stage: string): SshError {
  return new SshError({
    code: 'TIMEOUT',
    level: 'timeout',
    message: `Timeout error: no connection to ${plan.host}:${plan.port} within ${plan.connectTimeoutMs / 1000} s (stage: ${stage})`,
  });
}

/** Resolves `host` (numeric addresses are used as they are); bounded by `deadline`. */
async function resolve(host: string, viaProxy: boolean, plan: ConnectPlan, deadline: number): Promise<RawAddress[]> {
  const family = net.isIP(host);
  if (family !== 0) return [{ address: host, family: family as 4 | 6 }];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(plan, 'DNS lookup')), Math.max(0, deadline - Date.now()));
  });
  try {
    const found = await Promise.race([dns.promises.lookup(host, { all: true, verbatim: true }), timeout]);
    return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
  } catch (error) {
    if (error instanceof SshError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    const what = viaProxy ? 'Proxy connection error' : 'Direct connection error';
    throw new SshError({
      code: 'DNS_FAILED',
      level: viaProxy ? 'proxy' : 'connect',
      message: `TCP error: ${what}: failed to look up address of ${host}: ${code}`,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function readKey(source: { text: Buffer } | { path: string }, field: string): Promise<Buffer> {
  if ('text' in source) return source.text;
  try {
    return await fs.promises.readFile(source.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw settingsError(field, `must be key text or a readable file (cannot read ${shown(source.path)}: ${code})`);
  }
}

async function rawOptions(plan: ConnectPlan, deadline: number): Promise<RawConnectOptions> {
  const raw: RawConnectOptions = {
    host: plan.host,
    addresses: [],
    port: plan.port,
    username: plan.username,
    connectTimeoutMs: 0,
    connectTimeoutTotalMs: plan.connectTimeoutMs,
    keepaliveIntervalMs: plan.keepaliveIntervalMs,
    wantHostKeyVerdict: false,
    auth: { type: plan.auth.type },
  };
  switch (plan.auth.type) {
    case 'password':
      raw.auth.password = plan.auth.password;
      break;
    case 'private_key':
      raw.auth.privateKey = await readKey(plan.auth.privateKey, 'key_path');
      if (plan.auth.publicKey !== undefined) raw.auth.publicKey = await readKey(plan.auth.publicKey, 'pub_path');
      if (plan.auth.passphrase !== undefined) raw.auth.passphrase = plan.auth.passphrase;
      break;
    case 'agent': {
      const socket = plan.auth.agentSocket ?? process.env.SSH_AUTH_SOCK;
      if (socket === undefined || socket === '') {
        throw new SshError({ code: 'AGENT_FAILED', level: 'auth', message: 'Auth error: no ssh-agent: SSH_AUTH_SOCK is not set' });
      }
      raw.auth.agentSocket = socket;
      break;
    }
    case 'keyboard_interactive':
      raw.auth.responses = plan.auth.responses;
      break;
  }
  if (plan.proxy !== undefined) {
    const proxy: NonNullable<RawConnectOptions['proxy']> = {
      type: plan.proxy.type,
      addresses: await resolve(plan.proxy.host, true, plan, deadline),
      port: plan.proxy.port,
    };
    if (plan.proxy.login !== undefined) proxy.login = plan.proxy.login;
    if (plan.proxy.password !== undefined) proxy.password = plan.proxy.password;
    raw.proxy = proxy;
  } else {
    raw.addresses = await resolve(plan.host, false, plan, deadline);
  }
  if (plan.hostKey.policy !== 'off') {
    raw.hostKey = {
      policy: plan.hostKey.policy,
      knownHostsText: await readKnownHosts(plan.hostKey),
      knownHostsPath: plan.hostKey.knownHostsPath,
      recordNew: plan.hostKey.policy === 'accept-new' && plan.hostKey.explicit,
    };
    if (plan.hostKey.fingerprint !== undefined) raw.hostKey.fingerprint = plan.hostKey.fingerprint;
  }
  raw.wantHostKeyVerdict = plan.hostKey.verify !== undefined;
  if (plan.algorithms !== undefined) raw.algorithms = plan.algorithms;
  raw.connectTimeoutMs = Math.max(1, deadline - Date.now());
  return raw;
}

async function readKnownHosts(hostKey: HostKeyPlan): Promise<string> {
  try {
    return await fs.promises.readFile(hostKey.knownHostsPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    throw settingsError(hostKey.explicit ? 'known_hosts' : 'known_hosts (default ~/.ssh/known_hosts)', `must be a readable file (cannot read ${shown(hostKey.knownHostsPath)}: ${code ?? 'error'})`);
  }
}

/** accept-new with an explicit file: append the new host's line (OpenSSH format). */
async function recordKnownHost(hostKey: HostKeyPlan, line: string): Promise<void> {
  let prefix = '';
  try {
    const existing = await fs.promises.readFile(hostKey.knownHostsPath, 'utf8');
    if (existing.length > 0 && !existing.endsWith('\n')) prefix = '\n';
  } catch {
    // a new file
  }
  await fs.promises.appendFile(hostKey.knownHostsPath, `${prefix}${line}\n`, { mode: 0o600 });
}

/** @internal Opens a connection from a validated plan. */
export async function connectPlan(plan: ConnectPlan): Promise<Connection> {
  const deadline = Date.now() + plan.connectTimeoutMs;
  const raw = await rawOptions(plan, deadline);
  const handle = newSessionHandle();
  return new Promise<Connection>((resolvePromise, reject) => {
    const id = submit((event: RawEvent) => {
      if (event.kind === 'hostkey') {
        void askVerify(plan, event.info ?? {}).then((refusal) => {
          if (refusal === undefined) handle.hostKeyVerdict(true);
          else handle.hostKeyVerdict(false, 'HOST_KEY_MISMATCH', refusal);
        });
        return;
      }
      if (!event.ok) {
        reject(new SshError(event.error ?? { code: 'CONNECT_FAILED', level: 'connect', message: 'TCP error: connection failed' }));
        return;
      }
      const info = event.info ?? {};
      const connection = new Connection(handle, plan, info);
      if (info.known_hosts_line !== undefined) {
        recordKnownHost(plan.hostKey, info.known_hosts_line).then(() => resolvePromise(connection), (error: NodeJS.ErrnoException) => {
          void connection.close();
          reject(settingsError('known_hosts', `must be writable to record a new host (${error.code ?? error.message})`));
        });
        return;
      }
      resolvePromise(connection);
    });
    try {
      handle.connect(id, raw);
    } catch (error) {
      cancelRequest(id);
      reject(error);
    }
  });
}

/** Runs the caller's verify callback; resolves to a refusal message, or undefined to accept. */
async function askVerify(plan: ConnectPlan, info: Record<string, string>): Promise<string | undefined> {
  const verify = plan.hostKey.verify;
  if (verify === undefined) return undefined;
  const fingerprint = info.host_key_fingerprint ?? '';
  try {
    const accepted = await verify({
      type: info.host_key_type ?? 'unknown',
      fingerprint,
      key: Buffer.from(info.host_key ?? '', 'base64'),
      host: plan.host,
      port: plan.port,
    });
    return accepted === true ? undefined : `Host key error: the verify callback refused ${info.host_key_type ?? ''} key ${fingerprint}`;
  } catch (error) {
    return `Host key error: the verify callback failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Connects and logs in. Rejects with {@link SshError}. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  return connectPlan(planFromOptions(options));
}

/** One-shot: connect, run `command`, close. */
export async function exec(options: ConnectOptions, command: string, execOptions?: ExecOptions & { encoding?: 'utf8' }): Promise<ExecResult<string>> {
  const connection = await connect(options);
  try {
    return await connection.exec(command, execOptions);
  } finally {
    await connection.close();
  }
}
