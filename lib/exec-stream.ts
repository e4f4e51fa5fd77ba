/**
 * A streamed command ({@link ExecStream}, made by `Connection.stream()`): output as it arrives,
 * through one of an async iterator of chunks, {@link ExecStream.lines}, or the `stdout` /
 * `stderr` Readables, always with backpressure (the engine reads only what was consumed, plus
 * 1 MiB); `done`; cancellation by `break`; and stdin from a source or a `Writable`.
 * JavaScript thread only.
 * @packageDocumentation
 */
import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

import { SshError } from './errors';
import { pumpStdin, StdinFeed, type StdinSource, stdinWritable } from './exec-stdin';
import type { RawEvent, SessionHandle } from './native';

/** One piece of a streamed command's output. */
export interface ExecChunk {
  /** Which of the command's outputs the bytes came from. */
  stream: 'stdout' | 'stderr';
  /** The bytes as they arrived (a chunk may end inside a UTF-8 character or a line). */
  data: Buffer;
}

/** One line of a streamed command's output ({@link ExecStream.lines}). */
export interface ExecLine {
  stream: 'stdout' | 'stderr';
  /** The line's text (UTF-8), without its `\n` or `\r\n`. */
  line: string;
  /**
   * Present and true on a piece of a line longer than {@link MAX_LINE_CHARS}: such a line comes in
   * pieces of that size (memory stays bounded), the last one without this flag.
   */
  partial?: true;
}

/** The longest line `lines()` holds before yielding it in pieces (1 Mi characters). */
export const MAX_LINE_CHARS = 1024 * 1024;

/** How a streamed command ended. */
export interface ExecExit {
  /** The exit status; `null` when a signal ended the command, or none was reported (cancelled). */
  exitCode: number | null;
  /** The signal name without `SIG` (e.g. `TERM`) when the server reported one, else `null`. */
  signal: string | null;
  /**
   * Present and true when the program ended the command before it finished (`break` out of
   * `for await`, {@link ExecStream.cancel}, a destroyed `stdout`/`stderr`): it was sent TERM and
   * its channel closed; `exitCode` / `signal` are what the server reported by then, or `null`.
   */
  cancelled?: true;
}

/**
 * A running command whose output arrives as it is produced. Read it one way: `for await` over
 * the stream (chunks), {@link ExecStream.lines}, or {@link ExecStream.stdout} /
 * {@link ExecStream.stderr}; a second way throws. Reading is flow-controlled: while nothing
 * consumes, the engine stops reading the channel and the server waits, so memory stays bounded.
 *
 * - `break` (or a throw) out of `for await` ends the command: it is sent TERM, its channel is
 *   closed, and `done` resolves with `cancelled: true`. The loop exits once that is done.
 * - `await s.done` before anything reads the output runs the command to its end and discards
 *   its output.
 * - With `stdin: 'pipe'`, {@link ExecStream.stdin} is a `Writable` to the command's stdin; end it
 *   (`s.stdin.end()`) when the command should see EOF.
 */
export interface ExecStream extends AsyncIterable<ExecChunk> {
  /**
   * Settles when the command has ended (after the last chunk was read, or at once when the
   * output is discarded); rejects like `Connection.exec`. Awaiting it before anything reads the
   * output discards the output.
   */
  readonly done: Promise<ExecExit>;
  /** With `stdin: 'pipe'`: the command's stdin (`end()` sends EOF). Otherwise `null`. */
  readonly stdin: Writable | null;
  /**
   * The command's stdout as a `Readable` (bytes). Reading it keeps backpressure: the engine
   * reads on only as the Readable is consumed. Using `stdout` and `stderr` together is fine;
   * one that is never read holds the other back once 1 MiB waits, unless `done` is awaited (its
   * output is then discarded). Destroying it before the end cancels the command. When the
   * command fails (`done` rejects), the Readables are destroyed with the same error.
   */
  readonly stdout: Readable;
  /** The command's stderr as a `Readable`; see {@link ExecStream.stdout}. */
  readonly stderr: Readable;
  /**
   * The output as lines (UTF-8, `\n` or `\r\n` removed), each stream split on its own so that a
   * partial line of stdout is never joined with stderr's; a last line without a newline comes at
   * the end. `stream` keeps one stream (the other is discarded). Leaving the loop early cancels
   * the command, as with chunks.
   */
  lines(stream?: 'stdout' | 'stderr'): AsyncIterableIterator<ExecLine>;
  /** Ends the command now (TERM, close); resolves like `done`. No-op once it has ended. */
  cancel(): Promise<ExecExit>;
}

/** How a command's final event says it ended: the exit status, or the signal (then no status). */
export function exitOf(event: RawEvent): ExecExit {
  return {
    exitCode: event.exitSignal !== undefined ? null : (event.exitStatus ?? null),
    signal: event.exitSignal ?? null,
  };
}

/** The error of a command's final event that failed. */
export function commandError(event: RawEvent): SshError {
  return new SshError(event.error ?? { code: 'CHANNEL_FAILED', level: 'channel', message: 'Channel error' });
}

/** How an {@link ExecStreamImpl} starts its command (given by `Connection.stream()`). */
export interface ExecStreamStart {
  handle: SessionHandle | undefined;
  /** Submits the command; returns its request id, or 0 when `onError` was called. */
  submit(onEvent: (event: RawEvent) => void, onError: (error: unknown) => void): number;
  /** Streamed stdin: a source, or `'pipe'` for a Writable. */
  stdin?: StdinSource | 'pipe';
}

type Which = 'stdout' | 'stderr';
type Mode = 'none' | 'iterator' | 'readables' | 'drain';

const baseThen = Promise.prototype.then;
const ignore = (): void => undefined;

/**
 * `done`: a promise that tells the stream when the program first asks for the exit (`await`,
 * `.then(f)`, `.finally`, `Promise.all`), so that output nobody reads can be discarded.
 */
class ExitPromise extends Promise<ExecExit> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #onAwait: (() => void) | undefined;

  constructor(executor: (resolve: (value: ExecExit) => void, reject: (error: unknown) => void) => void, onAwait?: () => void) {
    super(executor);
    this.#onAwait = onAwait;
  }

  override then<A = ExecExit, B = never>(
    onFulfilled?: ((value: ExecExit) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    // `await` and `.then(f)` want the exit; `.catch(f)` alone (silencing a rejection) does not.
    if (typeof onFulfilled === 'function') {
      const hook = this.#onAwait;
      this.#onAwait = undefined;
      hook?.();
    }
    return baseThen.call(this, onFulfilled, onRejected) as Promise<A | B>;
  }
}

/** @internal Made by `Connection.stream()`; the command starts at once. */
export class ExecStreamImpl implements ExecStream {
  readonly done: Promise<ExecExit>;
  readonly stdin: Writable | null = null;
  readonly #handle: SessionHandle | undefined;
  #requestId = 0;
  #mode: Mode = 'none';
  /** Chunks not yet given to a consumer (their acknowledgement is held back). */
  #queue: ExecChunk[] = [];
  #waiters: (() => void)[] = [];
  #finished = false;
  #failure: unknown;
  #stopRequested = false;
  #iteratorTaken = false;
  #readables: Partial<Record<Which, Readable>> = {};
  /** Bytes pushed into a Readable past its high-water mark: acknowledged when it asks for more. */
  #held: Record<Which, number> = { stdout: 0, stderr: 0 };
  #discard: Record<Which, boolean> = { stdout: false, stderr: false };
  #feed: StdinFeed | undefined;
  #settle: (exit: ExecExit) => void = ignore;
  #reject: (error: unknown) => void = ignore;

  constructor(start: ExecStreamStart) {
    this.#handle = start.handle;
    this.done = new ExitPromise(
      (resolve, reject) => {
        this.#settle = resolve;
        this.#reject = reject;
      },
      () => this.#awaited(),
    );
    baseThen.call(this.done, undefined, ignore);
    this.#requestId = start.submit(
      (event) => this.#onEvent(event),
      (error) => this.#finish(undefined, error),
    );
    if (start.stdin !== undefined && this.#requestId !== 0 && this.#handle !== undefined) {
      const feed = new StdinFeed(this.#handle, this.#requestId);
      this.#feed = feed;
      if (start.stdin === 'pipe') this.stdin = stdinWritable(feed);
      else void pumpStdin(start.stdin, feed);
    } else if (start.stdin === 'pipe') {
      // Failed to start: a Writable that drops what it is given.
      this.stdin = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    }
  }

  get stdout(): Readable {
    return this.#readable('stdout');
  }

  get stderr(): Readable {
    return this.#readable('stderr');
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecChunk> {
    if (this.#iteratorTaken) this.#refuse('iterator');
    this.#claim('iterator');
    this.#iteratorTaken = true;
    const iterator: AsyncIterableIterator<ExecChunk> = {
      next: () => this.#next(),
      return: async () => {
        await this.#stopAndWait();
        return { done: true, value: undefined };
      },
      throw: async (error?: unknown) => {
        await this.#stopAndWait();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  lines(stream?: Which): AsyncIterableIterator<ExecLine> {
    if (stream !== undefined && stream !== 'stdout' && stream !== 'stderr') {
      throw new TypeError(`lines(stream): stream must be "stdout" or "stderr" (got ${String(stream)})`);
    }
    // Taken now, not at the first next(): awaiting done meanwhile must not discard the output.
    const chunks = this[Symbol.asyncIterator]();
    return splitLines(chunks, stream);
  }

  cancel(): Promise<ExecExit> {
    this.#stop();
    return this.done;
  }

  #onEvent(event: RawEvent): void {
    if (event.kind === 'stdin') {
      this.#feed?.taken(event.bytes ?? 0);
      return;
    }
    if (event.kind === 'data' && event.data !== undefined) {
      this.#take({ stream: event.stream ?? 'stdout', data: event.data });
      return;
    }
    if (!event.final) return;
    if (!event.ok) {
      const error = commandError(event);
      this.#finish(undefined, this.#feed?.explain(error) ?? error);
      return;
    }
    const exit = exitOf(event);
    if (event.cancelled === true) exit.cancelled = true;
    this.#finish(exit, undefined);
  }

  /** A chunk from the engine: to its consumer, held until one comes, or discarded. */
  #take(chunk: ExecChunk): void {
    if (this.#stopRequested || this.#mode === 'drain' || this.#discard[chunk.stream]) {
      this.#ack(chunk.data.length);
      return;
    }
    const readable = this.#readables[chunk.stream];
    if (readable !== undefined) {
      this.#push(chunk.stream, readable, chunk.data);
      return;
    }
    this.#queue.push(chunk);
    this.#wake();
  }

  #finish(exit: ExecExit | undefined, failure: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#feed?.ended();
    if (exit !== undefined) this.#settle(exit);
    else {
      this.#failure = failure;
      this.#reject(failure);
    }
    for (const which of ['stdout', 'stderr'] as const) {
      const readable = this.#readables[which];
      if (readable !== undefined) this.#endReadable(readable);
    }
    this.#wake();
  }

  async #next(): Promise<IteratorResult<ExecChunk>> {
    for (;;) {
      if (this.#stopRequested) return { done: true, value: undefined };
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        // The consumer took this chunk: the engine may read that much more.
        this.#ack(chunk.data.length);
        return { done: false, value: chunk };
      }
      if (this.#finished) {
        if (this.#failure !== undefined) throw this.#failure;
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Cancels unless ended, then waits for `done` to settle (its error is `done`'s to report). */
  async #stopAndWait(): Promise<void> {
    this.#stop();
    await baseThen.call(this.done, ignore, ignore);
  }

  #stop(): void {
    if (this.#stopRequested) return;
    this.#stopRequested = true;
    for (const chunk of this.#queue) this.#ack(chunk.data.length);
    this.#queue = [];
    if (!this.#finished && this.#requestId !== 0) this.#handle?.stopExec(this.#requestId);
    this.#wake();
  }

  /** `done` was awaited: output nobody reads is discarded from now on, so the command can end. */
  #awaited(): void {
    if (this.#mode === 'none') this.#mode = 'drain';
    for (const which of ['stdout', 'stderr'] as const) {
      if (this.#mode === 'drain' || (this.#mode === 'readables' && this.#readables[which] === undefined)) {
        this.#discard[which] = true;
      }
    }
    const kept: ExecChunk[] = [];
    for (const chunk of this.#queue) {
      if (this.#mode === 'drain' || this.#discard[chunk.stream]) this.#ack(chunk.data.length);
      else kept.push(chunk);
    }
    this.#queue = kept;
  }

  #claim(mode: Mode): void {
    if (this.#mode === mode) return;
    if (this.#mode !== 'none') this.#refuse(mode);
    this.#mode = mode;
  }

  #refuse(wanted: Mode): never {
    const ways: Record<Mode, string> = { none: '', iterator: 'for await / lines()', readables: 'stdout / stderr', drain: '' };
    if (this.#mode === 'drain') {
      throw new Error(
        "native-ssh: this command's output was discarded, because `done` was awaited before anything read it; read the output (for await, lines(), stdout / stderr) first",
      );
    }
    throw new Error(`native-ssh: this command's output is already read through ${ways[this.#mode]}; it cannot also be read through ${ways[wanted]}`);
  }

  #readable(which: Which): Readable {
    const existing = this.#readables[which];
    if (existing !== undefined) return existing;
    if (this.#discard[which]) this.#refuse('readables');
    this.#claim('readables');
    const readable = new Readable({
      read: () => {
        const held = this.#held[which];
        this.#held[which] = 0;
        if (held > 0) this.#ack(held);
      },
      destroy: (error, callback) => {
        // Destroyed before its end by the program: nobody wants the command any more.
        if (!this.#finished) this.#stop();
        callback(error);
      },
    });
    this.#readables[which] = readable;
    const kept: ExecChunk[] = [];
    for (const chunk of this.#queue) {
      if (chunk.stream === which) this.#push(which, readable, chunk.data);
      else kept.push(chunk);
    }
    this.#queue = kept;
    if (this.#finished) this.#endReadable(readable);
    return readable;
  }

  #push(which: Which, readable: Readable, data: Buffer): void {
    if (readable.destroyed) {
      this.#ack(data.length);
      return;
    }
    if (readable.push(data)) this.#ack(data.length);
    else this.#held[which] += data.length;
  }

  #endReadable(readable: Readable): void {
    if (readable.destroyed || readable.readableEnded) return;
    if (this.#failure !== undefined) readable.destroy(this.#failure as Error);
    else readable.push(null);
  }

  #ack(bytes: number): void {
    if (!this.#finished && this.#requestId !== 0 && bytes > 0) this.#handle?.ackExec(this.#requestId, bytes);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** Splits chunks into lines, each stream on its own. */
async function* splitLines(chunks: AsyncIterableIterator<ExecChunk>, only: Which | undefined): AsyncGenerator<ExecLine> {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const partial: Record<Which, string> = { stdout: '', stderr: '' };
  for await (const chunk of { [Symbol.asyncIterator]: () => chunks }) {
    const stream = chunk.stream;
    if (only !== undefined && stream !== only) continue;
    const held = partial[stream];
    const text = held + decoders[stream].write(chunk.data);
    let start = 0;
    // The held text has no newline: the search starts after it (a long line is not rescanned).
    for (let end = text.indexOf('\n', held.length); end >= 0; end = text.indexOf('\n', start)) {
      const line = end > start && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
      yield { stream, line };
    }
    let rest = text.slice(start);
    while (rest.length > MAX_LINE_CHARS) {
      yield { stream, line: rest.slice(0, MAX_LINE_CHARS), partial: true };
      rest = rest.slice(MAX_LINE_CHARS);
    }
    partial[stream] = rest;
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    const rest = partial[stream] + decoders[stream].end();
    if (rest !== '') yield { stream, line: rest };
  }
}
