/**
 * accept-new's record of a new host, as OpenSSH's `StrictHostKeyChecking accept-new` does it: the
 * line goes to the known_hosts file in use (default `~/.ssh/known_hosts`, created 0600 in a 0700
 * `~/.ssh`). The file is locked and read again before the append, and the engine checks the key
 * against that fresh copy: parallel first connections record one line, and a different key
 * recorded meanwhile is refused. A file that cannot be written does not stop the connection: the
 * reason is reported once per file (`process.emitWarning` and the debug log).
 *
 * Locking: connections of this process queue per file; between processes a `<file>.lock` created
 * with O_EXCL is the lock (one older than 10 s is taken to be left by a crashed process).
 * @packageDocumentation
 */
import fs = require('node:fs');
import path = require('node:path');

import { MAX_KNOWN_HOSTS_BYTES, readBounded } from './files';
import type { HostKeyPlan } from './plan';

/** A lock older than this was left behind by a process that died holding it. */
const STALE_LOCK_MS = 10_000;
/** Pause between tries at another process's lock. */
const RETRY_MS = 15;

/** The tail of each file's queue of this process's holders. */
const queues = new Map<string, Promise<void>>();
/** Files whose failure was already reported. */
const warned = new Set<string>();

/** A held lock on a known_hosts file, with the file as read under it. */
export interface KnownHostsLock {
  /** The file's bytes after the lock was taken. */
  text: Buffer;
  /** Appends `line` (when not empty) and releases the lock. Never throws: failures are reported. */
  finish(line: string): Promise<void>;
  /** Releases the lock without writing. */
  release(): Promise<void>;
}

class LockTimeout extends Error {
  constructor() {
    super('the lock was not free before the connect timeout');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `previous`; false when `deadline` passed first. */
async function within(previous: Promise<void>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([previous.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Queues behind this process's other holders of `file`; resolves to the release function. */
async function takeLocal(file: string, deadline: number): Promise<() => void> {
  const previous = queues.get(file) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  if (!(await within(previous, deadline))) {
    void previous.then(release); // our turn is given up as soon as it comes
    throw new LockTimeout();
  }
  return release;
}

/** Creates `<file>.lock` exclusively, waiting for another process's lock until `deadline`. */
async function takeLockFile(lockFile: string, deadline: number): Promise<fs.promises.FileHandle> {
  for (;;) {
    try {
      return await fs.promises.open(lockFile, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      const stats = await fs.promises.stat(lockFile);
      if (Date.now() - stats.mtimeMs > STALE_LOCK_MS) {
        await fs.promises.unlink(lockFile).catch(() => undefined);
        continue;
      }
    } catch {
      continue; // released between our open and stat
    }
    if (Date.now() + RETRY_MS > deadline) throw new LockTimeout();
    await sleep(RETRY_MS);
  }
}

/** True when the file's last byte is not a newline (only that byte is read). */
async function lacksFinalNewline(handle: fs.promises.FileHandle, size: number): Promise<boolean> {
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  const { bytesRead } = await handle.read(last, 0, 1, size - 1);
  return bytesRead === 1 && last[0] !== 0x0a;
}

/** Reports once per file that a new host could not be recorded. */
function report(hostKey: HostKeyPlan, reason: string, debug: ((message: string) => void) | undefined): void {
  const message = `native-ssh: accept-new could not record the new host in ${hostKey.knownHostsPath}: ${reason}; the connection goes on, and the host stays unknown`;
  debug?.(message);
  if (warned.has(hostKey.knownHostsPath)) return;
  warned.add(hostKey.knownHostsPath);
  process.emitWarning(message, { code: 'NATIVE_SSH_KNOWN_HOSTS' });
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined ? `${code} (${message})` : message;
}

/**
 * Locks the known_hosts file and reads it again; undefined when it cannot be locked or read
 * (reported: the caller accepts the host without recording it).
 */
export async function lockKnownHosts(hostKey: HostKeyPlan, deadline: number, debug?: (message: string) => void): Promise<KnownHostsLock | undefined> {
  const file = hostKey.knownHostsPath;
  let existing: fs.Stats | undefined;
  try {
    existing = await fs.promises.stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      report(hostKey, reasonOf(error), debug);
      return undefined;
    }
  }
  if (existing !== undefined && !existing.isFile()) {
    // /dev/null says "never record"; anything else that is not a file is worth a word.
    if (!(existing.isCharacterDevice() && file === '/dev/null')) report(hostKey, 'it is not a regular file', debug);
    return undefined;
  }
  let releaseLocal: (() => void) | undefined;
  let lockHandle: fs.promises.FileHandle | undefined;
  const lockFile = `${file}.lock`;
  const release = async (): Promise<void> => {
    if (lockHandle !== undefined) {
      const handle = lockHandle;
      lockHandle = undefined;
      await fs.promises.unlink(lockFile).catch(() => undefined);
      await handle.close().catch(() => undefined);
    }
    releaseLocal?.();
    releaseLocal = undefined;
  };
  try {
    if (existing === undefined && !hostKey.explicit) {
      // The default file, as ssh makes it: ~/.ssh is private to its owner.
      await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    }
    releaseLocal = await takeLocal(file, deadline);
    lockHandle = await takeLockFile(lockFile, deadline);
    const text = await readBounded(file, {
      limit: MAX_KNOWN_HOSTS_BYTES,
      field: hostKey.knownHostsField,
      expected: 'a readable file',
      noun: 'known_hosts file',
      cancel: { cancelled: false },
      emptyWhenAbsent: true,
    });
    return {
      text,
      release,
      finish: async (line: string): Promise<void> => {
        try {
          if (line !== '') await append(file, line);
          if (line !== '') debug?.(`known_hosts: recorded the host in ${file}`);
        } catch (error) {
          report(hostKey, reasonOf(error), debug);
        } finally {
          await release();
        }
      },
    };
  } catch (error) {
    await release();
    report(hostKey, reasonOf(error), debug);
    return undefined;
  }
}

/**
 * Appends one line (after a newline when the file does not end in one); creates the file 0600.
 * One descriptor reads the last byte and appends (O_APPEND writes go to the end whatever was read).
 */
async function append(file: string, line: string): Promise<void> {
  const handle = await fs.promises.open(file, fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NONBLOCK, 0o600);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error('it is not a regular file');
    await handle.write((await lacksFinalNewline(handle, stats.size)) ? `\n${line}\n` : `${line}\n`);
  } finally {
    await handle.close();
  }
}
