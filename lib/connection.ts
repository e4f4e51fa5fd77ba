/**
 * {@link Connection}: one open SSH connection, made by `connect` (lib/open.ts opens it). It owns
 * the connection's handle in the engine (lib/native.ts) and its notice route (`lost`, debug
 * lines), runs commands ({@link Connection.exec} collects the output, {@link Connection.stream} streams it) and
 * closes. JavaScript thread only.
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import util = require('node:util');

import type { DebugSink } from './debug';
import { SshError } from './errors';
import { isStdinSource, pumpStdin, StdinFeed, type StdinSource } from './exec-stdin';
import { commandError, type ExecStream, ExecStreamImpl, exitOf } from './exec-stream';
import { type RawEvent, type RawExecOptions, type SessionHandle, subscribe, unsubscribe } from './native';
import { type ExecOptions, rawExecOptions } from './options';
import type { ConnectPlan } from './plan';
import { Sftp } from './sftp';

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

/**
 * @internal A connection's notices from the engine (`lost` once, `debug` lines), on a request id
 * of their own that never keeps the process alive. It holds the connection weakly: an unclosed
 * connection can still be collected (and is then closed by the engine).
 */
export class NoticeRoute {
  readonly id: number;
  #connection: WeakRef<Connection> | undefined;

  constructor(readonly debug: DebugSink) {
    this.id = subscribe((event: RawEvent) => {
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
    unsubscribe(this.id);
    forgetNotices.unregister(this);
  }
}

/** A collected connection's notice handler is dropped too. */
const forgetNotices = new FinalizationRegistry<number>((id) => unsubscribe(id));
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
  /** The host as given (with `sshConfig`, the config's HostName for the alias given). */
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
  readonly #session: SessionHandle;
  #closed = false;
  #closedReason: SshError | 'closed' | undefined;
  #closing: Promise<void> | undefined;
  #notices: NoticeRoute | undefined;

  /** @internal Made by `connect` (lib/open.ts) once the engine logged in. */
  static fromEngine(session: SessionHandle, plan: ConnectPlan, info: Record<string, string>, notices?: NoticeRoute): Connection {
    return new Connection(session, plan, info, notices);
  }

  /** Connections are made by {@link connect}. */
  private constructor(session: SessionHandle, plan: ConnectPlan, info: Record<string, string>, notices?: NoticeRoute) {
    super();
    this.#session = session;
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
    const raw = await this.#collect(rawOptions, options.signal, isStdinSource(options.stdin) ? options.stdin : undefined);
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
      handle: this.#session,
      submit: (onEvent, onError) => this.#submit(rawOptions, options.signal, onEvent, onError),
      ...(stdin === undefined ? {} : { stdin }),
    });
  }

  /** The error of a call on a closed or lost connection; undefined while it is open. */
  #notConnected(): SshError | undefined {
    if (!this.#closed) return undefined;
    const reason = this.#closedReason instanceof SshError ? `the connection was lost (${this.#closedReason.message})` : 'the connection is closed';
    return new SshError({ code: 'NOT_CONNECTED', level: 'channel', message: `No session: ${reason}` });
  }

  /**
   * Opens an SFTP session on a channel of its own (the server's `sftp` subsystem): see
   * {@link Sftp}. It takes one of the server's session slots, as a running command does.
   */
  sftp(): Promise<Sftp> {
    return new Promise((resolve, reject) => {
      const down = this.#notConnected();
      if (down !== undefined) {
        reject(down);
        return;
      }
      const handle = this.#session;
      let channel = 0;
      try {
        channel = handle.sftpOpen((event: RawEvent) => {
          if (!event.ok) {
            reject(new SshError(event.error ?? { code: 'SFTP_FAILED', level: 'sftp', message: 'SFTP error: cannot start SFTP' }));
            return;
          }
          resolve(Sftp.fromEngine({ handle, channel, notConnected: () => this.#notConnected(), owner: this }));
        });
      } catch (error) {
        reject(error);
      }
    });
  }

  /** Submits a command; `onEvent` gets its events, `onError` a failure to start (then 0 is returned). */
  #submit(raw: RawExecOptions, signal: AbortSignal | undefined, onEvent: (event: RawEvent) => void, onError: (error: unknown) => void): number {
    const down = this.#notConnected();
    if (down !== undefined) {
      onError(down);
      return 0;
    }
    if (signal?.aborted) {
      onError(abortError(signal));
      return 0;
    }
    const session = this.#session;
    const onAbort = (): void => session.cancelExec(id, 'ABORTED', abortError(signal as AbortSignal).message);
    let id: number;
    try {
      // The handler keeps this connection reachable while the command runs.
      id = session.exec(raw, (event: RawEvent) => {
        void this;
        if (event.final) signal?.removeEventListener('abort', onAbort);
        onEvent(event);
      });
    } catch (error) {
      onError(error);
      return 0;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    return id;
  }

  /** Runs a command and collects its output as bytes; `stdin` streams from a source. */
  #collect(raw: RawExecOptions, signal?: AbortSignal, stdin?: StdinSource): Promise<ExecResult<Buffer>> {
    return new Promise((resolve, reject) => {
      let feed: StdinFeed | undefined;
      const id = this.#submit(
        raw,
        signal,
        (event) => {
          if (event.kind === 'stdin') feed?.taken(event.bytes ?? 0);
          if (!event.final) return;
          feed?.ended();
          if (!event.ok) {
            const error = commandError(event);
            reject(feed?.explain(error) ?? error);
            return;
          }
          const result: ExecResult<Buffer> = {
            stdout: event.stdout ?? Buffer.alloc(0),
            stderr: event.stderr ?? Buffer.alloc(0),
            ...exitOf(event),
          };
          if (event.stdoutTruncated) result.stdoutTruncated = true;
          if (event.stderrTruncated) result.stderrTruncated = true;
          resolve(result);
        },
        reject,
      );
      if (stdin !== undefined && id !== 0) {
        feed = new StdinFeed(this.#session, id);
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
    this.#closing = new Promise<void>((resolve) => {
      try {
        this.#session.close(() => resolve());
      } catch {
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
