/**
 * The only module that touches the addon: it loads it, declares the raw binding's shape, and owns
 * the table of requests in flight (request id -> handler). The layers above call the engine
 * through a {@link SessionHandle} (one per connection): each call that starts a request registers
 * its handler and posts it, and forgets the handler again when the addon throws. JavaScript thread
 * only; the engine thread's events arrive through the dispatch function given to `init`.
 * @packageDocumentation
 */
import os = require('node:os');
import path = require('node:path');
import nodeGypBuild = require('node-gyp-build');
import { loadErrorMessage, runtimeLibc } from './load-error';

/** An error as the engine reports it. */
export interface RawError {
  code: string;
  level: string;
  message: string;
  errno?: number;
  /** SFTP_FAILED from the server: its status. */
  sftpStatus?: { name: string; number: number };
}

/** A file's attributes as the SFTP server sent them (absent fields are 0). */
export interface RawSftpAttrs {
  size: number;
  uid: number;
  gid: number;
  /** File type and permission bits. */
  mode: number;
  /** Seconds since the epoch. */
  atime: number;
  mtime: number;
}

/** One readdir entry: its name's bytes and its attributes. */
export interface RawSftpEntry extends RawSftpAttrs {
  name: Buffer;
}

/** One event from the engine thread. `final` events settle their request. */
export interface RawEvent {
  kind: 'connected' | 'hostkey' | 'finished' | 'data' | 'stdin' | 'closed' | 'notice' | 'sftp';
  final: boolean;
  ok: boolean;
  error?: RawError;
  info?: Record<string, string>;
  stdout?: Buffer;
  stderr?: Buffer;
  exitStatus?: number;
  exitSignal?: string;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  /** `data` events: which stream, and the bytes (`sftp` events of readFile: the file). */
  stream?: 'stdout' | 'stderr';
  data?: Buffer;
  /** `sftp` events: stat / lstat's attributes, readdir's entries, realpath's answer. */
  attrs?: RawSftpAttrs;
  entries?: RawSftpEntry[];
  path?: string;
  /** `finished` events (a command ended) of a command ended by `stopExec`. */
  cancelled?: boolean;
  /** `stdin` events: bytes of streamed stdin the channel took (or dropped: the command ended). */
  bytes?: number;
}

/** A resolved address of a host. */
export interface RawAddress {
  address: string;
  family: 4 | 6;
}

/** What the engine needs to connect; secrets are dropped by the engine after login. */
export interface RawConnectOptions {
  host: string;
  addresses: RawAddress[];
  port: number;
  username: string;
  connectTimeoutMs: number;
  /** The same bound's end on the engine's monotonic clock (`process.hrtime`, in ms), so that the time until the engine starts counts too. */
  connectDeadlineHrMs?: number;
  /** The bound as configured, for messages. */
  connectTimeoutTotalMs: number;
  keepaliveIntervalMs: number;
  wantHostKeyVerdict: boolean;
  /** Request id that gets the connection's notices (`lost`, `debug` lines); they never settle it. */
  noticeRequestId?: number;
  /** Send `debug` notices. */
  debug?: boolean;
  algorithms?: { kex?: string; cipher?: string; mac?: string; hostKey?: string };
  /** Absent: no check (policy off). */
  hostKey?: {
    policy: 'strict' | 'accept-new' | 'off';
    /** The file's bytes: a Buffer is copied as it is (a string would be re-encoded, ~4 ms per MiB outside the connect timeout). */
    knownHostsText: string | Buffer;
    knownHostsPath: string;
    /** accept-new: a new host pauses the connect for {@link SessionHandle.hostKeyRecheck}. */
    recordNew: boolean;
    hashNew?: boolean;
    fingerprint?: string;
  };
  auth: {
    type: 'password' | 'private_key' | 'agent' | 'keyboard_interactive';
    password?: string;
    privateKey?: Buffer;
    publicKey?: Buffer;
    passphrase?: string;
    responses?: string[];
    agentSocket?: string;
  };
  proxy?: {
    type: 'socks4' | 'socks5' | 'http';
    addresses: RawAddress[];
    port: number;
    login?: string;
    password?: string;
  };
}

/** One command. */
export interface RawExecOptions {
  command: string;
  stdin?: Buffer;
  timeoutMs?: number;
  env?: Record<string, string>;
  pty?: { term: string; cols: number; rows: number };
  maxStdout?: number;
  maxStderr?: number;
  /** Deliver output as `data` events; each must be acknowledged with ackExec. */
  stream?: boolean;
  /** stdin comes through writeStdin / endStdin (acknowledged by `stdin` events), not `stdin`. */
  stdinStream?: boolean;
}

/** One SFTP operation on the SFTP session opened by request `channel`. */
export interface RawSftpOptions {
  channel: number;
  op: 'realpath' | 'stat' | 'lstat' | 'readdir' | 'mkdir' | 'rmdir' | 'unlink' | 'rename' | 'readFile' | 'writeFile';
  path: string;
  /** rename: the new name. */
  target?: string;
  /** mkdir, writeFile: permission bits. */
  mode?: number;
  /** rename: replace an existing target (posix-rename@openssh.com). */
  overwrite?: boolean;
  /** readFile: a larger file fails (INVALID_SETTINGS). */
  maxBytes?: number;
  /** writeFile: the contents (copied). */
  data?: Buffer;
}

/** The addon's handle of one connection (native/binding/session_handle.cc). */
interface RawSessionHandle {
  connect(requestId: number, options: RawConnectOptions): void;
  exec(requestId: number, options: RawExecOptions): void;
  hostKeyVerdict(accept: boolean, code?: string, message?: string): void;
  /** The known_hosts file as re-read under its lock (a `hostkey` event with phase `record` asked for it). */
  hostKeyRecheck(knownHostsText: Buffer): void;
  cancelExec(requestId: number, code: string, message: string): void;
  ackExec(requestId: number, bytes: number): void;
  /** Ends a running command (TERM, close); it settles as `cancelled` once its channel closed. */
  stopExec(requestId: number): void;
  /** A piece of streamed stdin (copied). */
  writeStdin(requestId: number, bytes: Buffer): void;
  /** EOF once the pieces written so far are sent. */
  endStdin(requestId: number): void;
  sftpOpen(requestId: number): void;
  sftpOp(requestId: number, options: RawSftpOptions): void;
  sftpClose(requestId: number, channel: number): void;
  close(requestId: number): void;
}

/** Versions of what serves the calls at run time. */
export interface Versions {
  /** libssh2 linked into the addon. */
  libssh2: string;
  /** The OpenSSL that libssh2's crypto calls reach at run time. */
  openssl: string;
  /** OpenSSL's configured directory (tells the system copy from Node's bundled one). */
  opensslDir: string;
  /** The addon's own version. */
  addon: string;
}

interface RawBinding {
  init(dispatch: (requestId: number, event: RawEvent) => void): void;
  shutdown(): void;
  versions(): Versions;
  SessionHandle: new () => RawSessionHandle;
}

const root = path.join(__dirname, '..');

function loadBinding(): RawBinding {
  let file: string;
  try {
    // NATIVE_SSH_BINARY points at another build of the addon (sanitizer runs, debugging).
    file = process.env.NATIVE_SSH_BINARY || nodeGypBuild.path(root);
  } catch (error) {
    throw loadError(error, 'no native binary fits this platform');
  }
  const module = { exports: {} as RawBinding };
  // RTLD_DEEPBIND makes libssh2 inside the addon bind to the system's libcrypto (which the design
  // names and the distribution patches) instead of the copy Node exports. ASan does not support
  // it, so sanitizer runs set NATIVE_SSH_NO_DEEPBIND=1.
  const flags = os.constants.dlopen as Record<string, number>;
  const deepbind = flags.RTLD_DEEPBIND;
  const useDeepbind = deepbind !== undefined && process.env.NATIVE_SSH_NO_DEEPBIND !== '1';
  try {
    if (useDeepbind) {
      process.dlopen(module, file, (flags.RTLD_NOW ?? 2) | deepbind);
    } else {
      process.dlopen(module, file);
    }
  } catch (error) {
    throw loadError(error, `cannot load ${file}`);
  }
  return module.exports;
}

function loadError(cause: unknown, what: string): Error {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const runtime = { platform: process.platform, arch: process.arch, libc: runtimeLibc() };
  const error = new Error(loadErrorMessage(what, detail, runtime));
  (error as Error & { cause?: unknown }).cause = cause;
  return error;
}

let binding: RawBinding | undefined;
const handlers = new Map<number, (event: RawEvent) => void>();
let nextRequestId = 1;

function dispatch(requestId: number, event: RawEvent): void {
  const handler = handlers.get(requestId);
  if (event.final) handlers.delete(requestId);
  if (handler !== undefined) handler(event);
}

/** The loaded binding (loaded and started on first use). */
function native(): RawBinding {
  if (binding === undefined) {
    const loaded = loadBinding();
    loaded.init(dispatch);
    binding = loaded;
    // process.exit() runs no environment cleanup before the C library's exit handlers: stop the
    // engine (a polite disconnect to every server, then join) while everything is still alive.
    process.once('exit', () => loaded.shutdown());
  }
  return binding;
}

/** Registers `handler` for the events of a new request and returns its id. */
function submit(handler: (event: RawEvent) => void): number {
  const id = nextRequestId++;
  handlers.set(id, handler);
  return id;
}

/**
 * A request id whose events go to `handler` until {@link unsubscribe}: for events that never
 * settle a request of their own (a connection's notices). It never keeps the process alive.
 */
export function subscribe(handler: (event: RawEvent) => void): number {
  return submit(handler);
}

/** Forgets a {@link subscribe}d handler. */
export function unsubscribe(requestId: number): void {
  handlers.delete(requestId);
}

/**
 * One connection's handle in the engine, typed. Calls that start a request take the handler of
 * its events and return the request id; when the addon throws (the engine is stopping), the
 * handler is forgotten and the error thrown on.
 */
export class SessionHandle {
  readonly #raw: RawSessionHandle = new (native().SessionHandle)();

  /** Connects and logs in; the final event settles it (`hostkey` events may come first). */
  connect(options: RawConnectOptions, onEvent: (event: RawEvent) => void): number {
    return this.#post(onEvent, (id) => this.#raw.connect(id, options));
  }

  /** Runs a command on a new channel; the final event settles it. */
  exec(options: RawExecOptions, onEvent: (event: RawEvent) => void): number {
    return this.#post(onEvent, (id) => this.#raw.exec(id, options));
  }

  /** Opens an SFTP session on a channel of its own; the returned id names it in {@link sftpOp}. */
  sftpOpen(onEvent: (event: RawEvent) => void): number {
    return this.#post(onEvent, (id) => this.#raw.sftpOpen(id));
  }

  /** One operation on an open SFTP session; its `sftp` event settles it. */
  sftpOp(options: RawSftpOptions, onEvent: (event: RawEvent) => void): number {
    return this.#post(onEvent, (id) => this.#raw.sftpOp(id, options));
  }

  /** Closes an SFTP session once the operations queued before have ended. */
  sftpClose(channel: number, onEvent: (event: RawEvent) => void): number {
    return this.#post(onEvent, (id) => this.#raw.sftpClose(id, channel));
  }

  /** Settles pending commands, disconnects and frees the connection; `onEvent` gets the final event. */
  close(onEvent: (event: RawEvent) => void): number {
    return this.#post(onEvent, (id) => this.#raw.close(id));
  }

  /** The answer to a `hostkey` event that asked for the program's verdict. */
  hostKeyVerdict(accept: boolean, code?: string, message?: string): void {
    this.#raw.hostKeyVerdict(accept, code, message);
  }

  /** The known_hosts file as re-read under its lock (a `hostkey` event with phase `record` asked for it). */
  hostKeyRecheck(knownHostsText: Buffer): void {
    this.#raw.hostKeyRecheck(knownHostsText);
  }

  /** Ends a command with the error `code` / `message`. */
  cancelExec(requestId: number, code: string, message: string): void {
    this.#raw.cancelExec(requestId, code, message);
  }

  /** A streamed command's consumer took `bytes`: the engine may read that much more. */
  ackExec(requestId: number, bytes: number): void {
    this.#raw.ackExec(requestId, bytes);
  }

  /** Ends a running command (TERM, close); it settles as `cancelled` once its channel closed. */
  stopExec(requestId: number): void {
    this.#raw.stopExec(requestId);
  }

  /** A piece of streamed stdin (copied). */
  writeStdin(requestId: number, bytes: Buffer): void {
    this.#raw.writeStdin(requestId, bytes);
  }

  /** EOF once the pieces written so far are sent. */
  endStdin(requestId: number): void {
    this.#raw.endStdin(requestId);
  }

  #post(onEvent: (event: RawEvent) => void, call: (requestId: number) => void): number {
    const id = submit(onEvent);
    try {
      call(id);
    } catch (error) {
      handlers.delete(id);
      throw error;
    }
    return id;
  }
}

/** Versions of libssh2, the OpenSSL that serves its calls at run time, and the addon. */
export function versions(): Versions {
  return native().versions();
}
