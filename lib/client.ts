/**
 * The idiomatic promise-based client: {@link connect}, {@link Connection.exec},
 * {@link Connection.close} and the one-shot {@link exec}. The OPI functions are a thin layer over
 * this file.
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import util = require('node:util');
import { Writable } from 'node:stream';

import { debugSink, DebugSink } from './debug';

import { SshError } from './errors';
import { ExecStream, ExecStreamImpl } from './exec-stream';
import { isStdinSource, pumpStdin, StdinFeed, StdinSource } from './exec-stdin';
import {
  cancelRequest,
  newSessionHandle,
  RawEvent,
  RawExecOptions,
  SessionHandle,
  submit,
} from './native';
import { ConnectOptions, ExecOptions, planFromOptions, rawExecOptions } from './options';
import { KnownHostsLock, lockKnownHosts } from './known-hosts-record';
import { engineError, forgetSecrets, prepareConnect } from './prepare';
import { ConnectPlan } from './settings';

export type { ConnectOptions, ExecOptions, ProxyOptions } from './options';
export type { ExecChunk, ExecExit, ExecLine, ExecStream } from './exec-stream';
export type { StdinSource } from './exec-stdin';
export { planFromOptions, rawExecOptions } from './options';

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

/** The server's host key as presented during the key exchange. */
export interface HostKeyInfo {
  /** e.g. `ssh-ed25519`. */
  type: string;
  /** `SHA256:<base64>`, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** Algorithms negotiated for the connection; AEAD ciphers (GCM, chacha20-poly1305) report the MAC as `<implicit>`. */
export interface NegotiatedAlgorithms {
  /** Key exchange, e.g. `curve25519-sha256`. */
  kex: string;
  /** Host key algorithm, e.g. `ssh-ed25519`. */
  hostKey: string;
  cipherClientToServer: string;
  cipherServerToClient: string;
  macClientToServer: string;
  macServerToClient: string;
}

const connectionInternals = new WeakMap<Connection, SessionHandle>();

/**
 * A connection's notices from the engine (`lost` once, `debug` lines), on a request id of their
 * own that never keeps the process alive. It holds the connection weakly: an unclosed
 * connection can still be collected (and is then closed by the engine).
 */
class NoticeRoute {
  readonly id: number;
  #connection: WeakRef<Connection> | undefined;

  constructor(readonly debug: DebugSink) {
    this.id = submit((event: RawEvent) => {
      if (event.kind !== 'notice') return;
      const info = event.info ?? {};
      if (info.type === 'debug') {
        this.debug?.(info.message ?? '');
      } else if (info.type === 'lost') {
        const error = new SshError(event.error ?? { code: 'CONNECTION_LOST', level: 'connect', message: 'Connection error: the connection was lost' });
        this.debug?.(`lost: ${error.message}`);
        const connection = this.#connection?.deref();
        if (connection !== undefined) lostConnections.get(connection)?.(error);
        this.stop();
      }
    });
  }

  attach(connection: Connection): void {
    this.#connection = new WeakRef(connection);
    forgetNotices.register(connection, this.id, this);
  }

  /** No more notices are wanted (closed, lost or never connected). */
  stop(): void {
    cancelRequest(this.id);
    forgetNotices.unregister(this);
  }
}

/** A collected connection's notice handler is dropped too. */
const forgetNotices = new FinalizationRegistry<number>((id) => cancelRequest(id));
/** Each connection's reaction to the loss of its link. */
const lostConnections = new WeakMap<Connection, (error: SshError) => void>();

/**
 * An open SSH connection. Commands run in parallel, each on its own channel. Close it with
 * {@link Connection.close} (or `await using`); one that is garbage-collected unclosed is closed
 * by the engine, and an idle one never keeps the process alive.
 *
 * Events: `'close'` once, when the connection ends: with no argument after {@link Connection.close},
 * with the {@link SshError} (e.g. `CONNECTION_LOST`) when the link was lost, also while idle.
 */
export class Connection extends EventEmitter {
  /** The host as given. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** The user logged in as. */
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
  #closedReason: SshError | 'closed' | undefined;
  #closing: Promise<void> | undefined;
  #notices: NoticeRoute | undefined;

  /** @internal Made by {@link connect}. */
  static fromEngine(handle: SessionHandle, plan: ConnectPlan, info: Record<string, string>, notices?: NoticeRoute): Connection {
    return new Connection(handle, plan, info, notices);
  }

  /** Connections are made by {@link connect}. */
  private constructor(handle: SessionHandle, plan: ConnectPlan, info: Record<string, string>, notices?: NoticeRoute) {
    super();
    connectionInternals.set(this, handle);
    this.#notices = notices;
    notices?.attach(this);
    lostConnections.set(this, (error) => this.#lost(error));
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

  /** True once {@link Connection.close} was called or the connection was lost. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Why the connection ended: `undefined` while open, `'closed'` after {@link Connection.close},
   * the {@link SshError} when it was lost (the server went away, keepalives went unanswered).
   */
  get closedReason(): SshError | 'closed' | undefined {
    return this.#closedReason;
  }

  #lost(error: SshError): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedReason = error;
    this.emit('close', error);
  }

  /** Runs `command` on a new channel and collects its output. */
  exec(command: string, options?: ExecOptions & { encoding?: 'utf8' }): Promise<ExecResult<string>>;
  /** Runs `command` on a new channel and collects its output as bytes. */
  exec(command: string, options: ExecOptions & { encoding: 'buffer' }): Promise<ExecResult<Buffer>>;
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult<string> | ExecResult<Buffer>> {
    const rawOptions = rawExecOptions(command, options, this.commandTimeoutMs);
    const encoding = options.encoding ?? 'utf8';
    const raw = await this.execRaw(rawOptions, options.signal, isStdinSource(options.stdin) ? options.stdin : undefined);
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
   * Runs `command` (at once) and gives its output as it arrives (stdout and stderr told apart),
   * with backpressure: see {@link ExecStream}. `break` out of `for await` cancels the command;
   * `await s.done` without reading runs it to its end, discarding the output. With
   * `stdin: 'pipe'`, `s.stdin` is a `Writable` to the command. `options.encoding` and `maxBuffer`
   * do not apply.
   */
  stream(command: string, options: ExecOptions & { stdin: 'pipe' }): ExecStream & { readonly stdin: Writable };
  stream(command: string, options?: ExecOptions): ExecStream;
  stream(command: string, options: ExecOptions = {}): ExecStream {
    const rawOptions = { ...rawExecOptions(command, options, this.commandTimeoutMs, 'stream'), stream: true };
    const stdin = options.stdin === 'pipe' || isStdinSource(options.stdin) ? options.stdin : undefined;
    return new ExecStreamImpl({
      handle: connectionInternals.get(this),
      submit: (onEvent, onError) => this.submitExec(rawOptions, options.signal, onEvent, onError),
      ...(stdin === undefined ? {} : { stdin }),
    });
  }

  /** @internal Submits a command; `onEvent` gets its events, `onError` a failure to start. */
  submitExec(raw: RawExecOptions, signal: AbortSignal | undefined, onEvent: (event: RawEvent) => void, onError: (error: unknown) => void): number {
    const handle = connectionInternals.get(this);
    if (this.#closed || handle === undefined) {
      const reason = this.#closedReason instanceof SshError ? `the connection was lost (${this.#closedReason.message})` : 'the connection is closed';
      onError(new SshError({ code: 'NOT_CONNECTED', level: 'channel', message: `No session: ${reason}` }));
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

  /** @internal Bytes-level exec shared by both APIs; `stdin` streams from a source. */
  execRaw(raw: RawExecOptions, signal?: AbortSignal, stdin?: StdinSource): Promise<ExecResult<Buffer>> {
    return new Promise((resolve, reject) => {
      let feed: StdinFeed | undefined;
      const id = this.submitExec(raw, signal, (event) => {
        if (event.kind === 'stdin') feed?.taken(event.bytes ?? 0);
        if (!event.final) return;
        feed?.ended();
        if (!event.ok) {
          const error = new SshError(event.error ?? { code: 'CHANNEL_FAILED', level: 'channel', message: 'Channel error' });
          reject(feed?.explain(error) ?? error);
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
      const handle = connectionInternals.get(this);
      if (stdin !== undefined && id !== 0 && handle !== undefined) {
        feed = new StdinFeed(handle, id);
        void pumpStdin(stdin, feed);
      }
    });
  }

  /** Settles pending commands, sends an SSH disconnect and frees the connection. Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const wasOpen = !this.#closed;
    this.#closed = true;
    this.#closedReason ??= 'closed';
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
    }).then(() => {
      this.#notices?.stop();
      if (wasOpen) this.emit('close');
    });
    return this.#closing;
  }

  /** `await using conn = await connect(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** What `util.inspect` shows: no secrets are held, and none are shown. */
  [util.inspect.custom](): string {
    const state = this.#closedReason instanceof SshError ? `lost (${this.#closedReason.code})` : this.#closed ? 'closed' : 'open';
    return `Connection { ${this.username}@${this.host}:${this.port}, hostKey: ${this.hostKey.type} ${this.hostKey.fingerprint}, ${state} }`;
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

/** The events of a {@link Connection}. */
export interface ConnectionEvents {
  /** Once, when the connection ends: with the error when the link was lost, none after `close()`. */
  close: (error?: SshError) => void;
}

// Typed listeners for the Connection's events (declaration merging with the class).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Connection {
  on<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  once<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  off<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  addListener<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
  removeListener<E extends keyof ConnectionEvents>(event: E, listener: ConnectionEvents[E]): this;
}

function abortError(signal: AbortSignal): SshError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new SshError({ code: 'ABORTED', level: 'channel', message: `Aborted: the command was cancelled${reason}` });
}


/** Numbers connections in debug lines. */
let connectionCount = 0;

/** @internal Opens a connection from a validated plan. */
export async function connectPlan(plan: ConnectPlan): Promise<Connection> {
  const deadline = Date.now() + plan.connectTimeoutMs;
  const debug = debugSink(plan.debug, `#${++connectionCount} ${plan.username}@${plan.host}:${plan.port}`);
  debug?.(`connecting${plan.proxy ? ` through ${plan.proxy.type} proxy ${plan.proxy.host}:${plan.proxy.port}` : ''}, login ${plan.auth.type}, host key policy ${plan.hostKey.policy}, within ${plan.connectTimeoutMs} ms`);
  const prepared = await prepareConnect(plan, deadline, debug);
  const handle = newSessionHandle();
  const notices = new NoticeRoute(debug);
  prepared.raw.noticeRequestId = notices.id;
  if (debug !== undefined) prepared.raw.debug = true;
  return new Promise<Connection>((resolvePromise, reject) => {
    let lock: KnownHostsLock | undefined;
    const answer = (refusal: string | undefined): void => {
      try {
        if (refusal === undefined) handle.hostKeyVerdict(true);
        else handle.hostKeyVerdict(false, 'HOST_KEY_MISMATCH', refusal);
      } catch {
        // The engine stopped: the connect request gets its final event anyway.
      }
    };
    // accept-new met a new host: the caller's verify first, then the file is locked and re-read,
    // the engine checks the key against it again, and the line is appended under the lock.
    const onHostKey = async (info: Record<string, string>): Promise<void> => {
      if (info.phase === 'recorded') {
        const held = lock;
        lock = undefined;
        await held?.finish(info.known_hosts_line ?? '');
        answer(undefined);
        return;
      }
      const refusal = await askVerify(plan, info);
      if (info.phase !== 'record' || refusal !== undefined) {
        answer(refusal);
        return;
      }
      lock = await lockKnownHosts(plan.hostKey, deadline, debug);
      if (lock === undefined) {
        answer(undefined);
        return;
      }
      try {
        handle.hostKeyRecheck(lock.text);
      } catch {
        void lock.release();
        lock = undefined;
      }
    };
    const id = submit((event: RawEvent) => {
      if (event.kind === 'hostkey') {
        void onHostKey(event.info ?? {});
        return;
      }
      if (!event.ok) {
        void lock?.release();
        lock = undefined;
        notices.stop();
        reject(engineError(plan, prepared, event.error));
        return;
      }
      resolvePromise(Connection.fromEngine(handle, plan, event.info ?? {}, notices));
    });
    try {
      handle.connect(id, prepared.raw);
    } catch (error) {
      cancelRequest(id);
      notices.stop();
      reject(error);
    } finally {
      forgetSecrets(prepared);
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
  const plan = planFromOptions(options);
  // The command's options are checked too before any network work.
  rawExecOptions(command, execOptions ?? {}, plan.commandTimeoutMs);
  const connection = await connectPlan(plan);
  try {
    return await connection.exec(command, execOptions);
  } finally {
    await connection.close();
  }
}
