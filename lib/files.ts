/**
 * Bounded reads of the files a connection needs (keys, known_hosts). A path may name anything:
 * `/dev/urandom` never ends, a FIFO blocks an ordinary open() until a writer comes, and `stat`
 * says 0 bytes for both. So a file is opened non-blocking, refused unless it is a regular file,
 * and read at most `limit + 1` bytes, whatever its size claims.
 * @packageDocumentation
 */
import fs = require('node:fs');

import { SshError, settingsError, shown } from './errors';

/** The largest known_hosts file read. */
export const MAX_KNOWN_HOSTS_BYTES = 64 * 1024 * 1024;

/** What a non-regular file is, for messages. */
function kind(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Lets the caller stop a read it no longer waits for (the connect timeout ran out). */
export interface ReadCancel {
  cancelled: boolean;
}

/** How to read one file. */
export interface BoundedRead {
  limit: number;
  /** The setting that named the file, for messages. */
  field: string;
  /** What the setting must be, e.g. `key text or a readable file`. */
  expected: string;
  /** e.g. `key file`: "must be a key file of at most 1 MiB". */
  noun: string;
  cancel: ReadCancel;
  /** Said when the path is not a regular file, e.g. where to pass the text instead. */
  instead?: string;
  /** known_hosts: a missing file, or /dev/null, is an empty one. */
  emptyWhenAbsent?: boolean;
}

let devNull: number | undefined;
function isDevNull(stats: fs.Stats): boolean {
  if (!stats.isCharacterDevice()) return false;
  try {
    devNull ??= fs.statSync('/dev/null').rdev;
  } catch {
    return false;
  }
  return stats.rdev === devNull;
}

/**
 * Reads a regular file of at most `limit` bytes. Failures are Settings errors naming `field`,
 * with the error code of a failed open (ENOENT, EACCES...).
 */
export async function readBounded(file: string, how: BoundedRead): Promise<Buffer> {
  const { limit, field, cancel } = how;
  let handle: fs.promises.FileHandle;
  const chunks: Buffer[] = [];
  let result: Buffer | undefined;
  try {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
    handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (how.emptyWhenAbsent && (code === 'ENOENT' || code === 'ENOTDIR')) return Buffer.alloc(0);
    throw settingsError(field, `must be ${how.expected} (cannot read ${shown(file)}: ${code})`);
  }
  try {
    const stats = await handle.stat();
    if (how.emptyWhenAbsent && isDevNull(stats)) return Buffer.alloc(0);
    if (!stats.isFile()) {
      throw settingsError(field, `must be a regular file (${shown(file)} is ${kind(stats)}${how.instead !== undefined ? `; ${how.instead}` : ''})`);
    }
    const tooLarge = (): SshError => settingsError(field, `must be a ${how.noun} of at most ${sizeText(limit)} (${shown(file)} is larger)`);
    if (stats.size > limit) throw tooLarge();
    let total = 0;
    // A regular file is read in one call of its size + 1 (a short read: the end, confirmed by a
    // small read); one whose size lies (procfs says 0, a file growing meanwhile) in 64 KiB steps,
    // never past limit + 1 bytes. Buffers are no larger than that: a 64 KiB buffer per read of a
    // 400-byte key, with many connects at once, left megabytes of freed heap behind (RSS).
    let want = stats.size > 0 ? stats.size + 1 : 64 * 1024;
    for (;;) {
      if (cancel.cancelled) return Buffer.alloc(0);
      const buffer = Buffer.alloc(Math.min(want, limit + 1 - total));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw tooLarge();
      want = bytesRead < buffer.length ? 1024 : 64 * 1024;
    }
    // One chunk (a regular file) is the result itself: no second copy of a key's bytes.
    result = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
    return result;
  } catch (error) {
    if (error instanceof SshError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw settingsError(field, `must be ${how.expected} (cannot read ${shown(file)}: ${code})`);
  } finally {
    // The read buffers are zeroed once copied (a key file is a secret; see docs/security.md).
    for (const chunk of chunks) if (chunk !== result) chunk.fill(0);
    await handle.close().catch(() => undefined);
  }
}
