/**
 * Streamed stdin of a command: pieces from a `Readable` or any async iterable, or written by the
 * program through a `Writable` (`stdin: 'pipe'`), sent to the engine with a bound on what is in
 * flight. The engine acknowledges each piece once the channel has taken it (`stdin` events), and
 * the source is not read further while {@link STDIN_IN_FLIGHT} bytes are waiting, so a fast
 * source never runs ahead of a slow server. JavaScript thread only.
 * @packageDocumentation
 */
import { Writable } from 'node:stream';

import { shown, type SshError } from './errors';
import type { SessionHandle } from './native';

/** Bytes of stdin handed to the engine but not yet taken by the channel, at most (plus one piece). */
export const STDIN_IN_FLIGHT = 256 * 1024;
/** The largest piece handed to the engine at once (a longer chunk is cut). */
const PIECE = 64 * 1024;

/** What `stdin` may stream from: a `Readable`, or any async iterable of Buffers or strings. */
export type StdinSource = AsyncIterable<Buffer | Uint8Array | string>;

/** True for a value `stdin` streams from (a `Readable` is an async iterable). */
export function isStdinSource(value: unknown): value is StdinSource {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

/** The stdin pipe of one running command: pieces out, acknowledgements in. */
export class StdinFeed {
  readonly #handle: SessionHandle;
  readonly #requestId: number;
  #inFlight = 0;
  #ended = false;
  #commandEnded = false;
  #waiters: (() => void)[] = [];
  #failure: unknown;

  constructor(handle: SessionHandle, requestId: number) {
    this.#handle = handle;
    this.#requestId = requestId;
  }

  /** True once the command has settled: what is written now is dropped. */
  get commandEnded(): boolean {
    return this.#commandEnded;
  }

  /** Sends `chunk`; resolves when there is room for more (at once when the command has ended). */
  async write(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length && !this.#commandEnded && !this.#ended; offset += PIECE) {
      const piece = chunk.subarray(offset, offset + PIECE);
      this.#inFlight += piece.length;
      this.#handle.writeStdin(this.#requestId, piece);
      if (this.#inFlight > STDIN_IN_FLIGHT) await this.#room(STDIN_IN_FLIGHT);
    }
  }

  /** No more stdin: EOF goes out after what was written. Resolves when all of it was taken. */
  async end(): Promise<void> {
    if (!this.#ended && !this.#commandEnded) {
      this.#ended = true;
      this.#handle.endStdin(this.#requestId);
    }
    this.#ended = true;
    await this.#room(0);
  }

  /** The source failed: the command is ended and rejects with `STDIN_FAILED` (cause: `error`). */
  fail(error: unknown): void {
    if (this.#commandEnded || this.#failure !== undefined) return;
    this.#failure = error;
    const detail = error instanceof Error ? error.message : String(error);
    try {
      this.#handle.cancelExec(this.#requestId, 'STDIN_FAILED', `Stdin error: the stdin source failed: ${detail}`);
    } catch {
      // The engine is gone (environment teardown): the command settles with that instead.
    }
  }

  /** The engine's acknowledgement: `bytes` were taken by the channel. */
  taken(bytes: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - bytes);
    this.#release();
  }

  /** The command settled: every waiting write completes. */
  ended(): void {
    this.#commandEnded = true;
    this.#release();
  }

  /** The command's error, with the source's error as its cause when the source failed. */
  explain(error: SshError): SshError {
    if (error.code === 'STDIN_FAILED' && this.#failure !== undefined) {
      Object.defineProperty(error, 'cause', { value: this.#failure, configurable: true, writable: true });
    }
    return error;
  }

  #room(limit: number): Promise<void> {
    if (this.#commandEnded || this.#inFlight <= limit) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#commandEnded || this.#inFlight <= limit) resolve();
        else this.#waiters.push(check);
      };
      this.#waiters.push(check);
    });
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** A chunk of a stdin source as bytes; anything else is a source error. */
function bytesOf(item: unknown): Buffer {
  if (Buffer.isBuffer(item)) return item;
  if (typeof item === 'string') return Buffer.from(item, 'utf8');
  if (item instanceof Uint8Array) return Buffer.from(item.buffer, item.byteOffset, item.byteLength);
  throw new TypeError(`stdin yielded ${shown(item)}; expected Buffers or strings`);
}

/**
 * Reads `source` into `feed`, never faster than the channel takes it, then sends EOF. A source
 * that throws (a `Readable` that emits `error`) ends the command with `STDIN_FAILED`. Reading
 * stops when the command ends (a `Readable` is then destroyed, as `for await` does).
 */
export async function pumpStdin(source: StdinSource, feed: StdinFeed): Promise<void> {
  try {
    for await (const item of source) {
      if (feed.commandEnded) break;
      await feed.write(bytesOf(item));
      if (feed.commandEnded) break;
    }
    await feed.end();
  } catch (error) {
    feed.fail(error);
  }
}

/**
 * The `Writable` of `stdin: 'pipe'`: `write()` obeys backpressure (its callback waits while too
 * much is in flight), `end()` sends EOF, `destroy(error)` ends the command with `STDIN_FAILED`.
 * Data written after the command ended is dropped.
 */
export function stdinWritable(feed: StdinFeed): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      feed.write(chunk).then(() => callback(), callback);
    },
    final(callback): void {
      feed.end().then(() => callback(), callback);
    },
    destroy(error, callback): void {
      if (error !== null) feed.fail(error);
      else void feed.end();
      callback(error);
    },
  });
}
