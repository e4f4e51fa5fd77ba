/**
 * {@link Sftp}: one SFTP session of a {@link Connection} (`await conn.sftp()`), on a channel of
 * its own in the engine (native/core/sftp_channel.h), with fs/promises-like methods. The engine
 * runs its operations one at a time, in the order they were called; open several `Sftp` objects
 * for work in parallel. JavaScript thread only.
 * @packageDocumentation
 */
import { constants as bufferConstants } from 'node:buffer';

import { SshError, settingsError, shown } from './errors';
import type { RawEvent, RawSftpAttrs, RawSftpOptions, SessionHandle } from './native';
import type { KeySpec } from './known-keys';
import { describe, optionsObject } from './validate';

/** What a path names, from its mode bits. */
export type SftpFileType = 'file' | 'directory' | 'symlink' | 'other';

/** A file's attributes, as {@link Sftp.stat} and {@link Sftp.lstat} give them. */
export interface SftpStats {
  type: SftpFileType;
  size: number;
  /** Type and permission bits, as `fs.Stats.mode` (`mode & 0o7777` are the permissions). */
  mode: number;
  uid: number;
  gid: number;
  /** SFTP (version 3) carries whole seconds. */
  atime: Date;
  mtime: Date;
}

/** One entry of {@link Sftp.readdir} (`.` and `..` are left out). */
export interface SftpDirEntry extends SftpStats {
  name: string;
}

export interface SftpMkdirOptions {
  /** Permission bits of the new directory (the server applies its umask); default 0o755. */
  mode?: number;
}

export interface SftpRenameOptions {
  /** Replace an existing target, atomically (OpenSSH's posix-rename@openssh.com). Default false: an existing target fails. */
  overwrite?: boolean;
}

export interface SftpReadFileOptions {
  /** A larger file fails with INVALID_SETTINGS instead of filling memory; default 1 GiB. */
  maxBytes?: number;
}

export interface SftpWriteFileOptions {
  /** Permission bits of a file the call creates; default 0o644. */
  mode?: number;
}

/** @internal How an {@link Sftp} reaches its connection (given by `Connection.sftp()`). */
export interface SftpLink {
  handle: SessionHandle;
  /** The request id that opened the session: it names the session in the engine. */
  channel: number;
  /** The error of a call made on a closed or lost connection, or undefined while it is open. */
  notConnected(): SshError | undefined;
  /** Keeps the connection reachable while the session is. */
  owner: object;
}

/** readFile's default bound. */
export const DEFAULT_MAX_READ_BYTES = 1024 ** 3;

const MKDIR_KEYS: KeySpec = { path: 'options', noun: 'option', names: ['mode'] };
const RENAME_KEYS: KeySpec = { path: 'options', noun: 'option', names: ['overwrite'] };
const READ_KEYS: KeySpec = { path: 'options', noun: 'option', names: ['maxBytes'] };
const WRITE_KEYS: KeySpec = { path: 'options', noun: 'option', names: ['mode'] };

const S_IFMT = 0o170000;

function fileType(mode: number): SftpFileType {
  switch (mode & S_IFMT) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

function statsOf(raw: RawSftpAttrs): SftpStats {
  return {
    type: fileType(raw.mode),
    size: raw.size,
    mode: raw.mode,
    uid: raw.uid,
    gid: raw.gid,
    atime: new Date(raw.atime * 1000),
    mtime: new Date(raw.mtime * 1000),
  };
}

/** A remote path: a string without NUL characters; `""` means the current directory. */
function remotePath(value: unknown, field: string): string {
  if (typeof value !== 'string') throw settingsError(field, `must be a string (got ${describe(value)})`);
  if (value.includes('\0')) throw settingsError(field, 'must not contain NUL characters');
  return value === '' ? '.' : value;
}

/** Options: absent, or an object whose keys `spec` knows. */
function optionsOf(value: unknown, spec: KeySpec): Record<string, unknown> {
  if (value === undefined) return {};
  return optionsObject(value, 'options', spec);
}

function permissions(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 0o7777) {
    throw settingsError(field, `must be an integer from 0 to 0o7777 (got ${shown(value)})`);
  }
  return value as number;
}

function maxBytesOf(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_READ_BYTES;
  const limit = bufferConstants.MAX_LENGTH;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > limit) {
    throw settingsError('options.maxBytes', `must be an integer number of bytes from 1 to ${limit} (got ${shown(value)})`);
  }
  return value as number;
}

function contents(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw settingsError('data', `must be a string, Buffer or Uint8Array (got ${describe(value)})`);
}

function sftpError(event: RawEvent): SshError {
  return new SshError(event.error ?? { code: 'SFTP_FAILED', level: 'sftp', message: 'SFTP error' });
}

/**
 * One SFTP session. Every method validates its arguments first (a `Settings error` naming the
 * argument, before any network work) and rejects with an {@link SshError}: `SFTP_FAILED` with
 * `sftpStatus` when the server refused, `NOT_CONNECTED` or `CONNECTION_LOST` when the connection
 * ended. Close it with {@link Sftp.close} (the connection's close ends it too).
 */
export class Sftp {
  readonly #link: SftpLink;
  #closing: Promise<void> | undefined;

  /** @internal Made by `Connection.sftp()` once the engine opened the session. */
  static fromEngine(link: SftpLink): Sftp {
    return new Sftp(link);
  }

  /** SFTP sessions are made by `Connection.sftp()`. */
  private constructor(link: SftpLink) {
    this.#link = link;
  }

  /** True once {@link Sftp.close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The absolute form of `path` (default `"."`: the directory the session starts in), as the server resolves it. */
  async realpath(path: string = '.'): Promise<string> {
    const event = await this.#run({ op: 'realpath', path: remotePath(path, 'path') });
    return event.path ?? '';
  }

  /** The attributes of `path`, following symbolic links. */
  async stat(path: string): Promise<SftpStats> {
    const event = await this.#run({ op: 'stat', path: remotePath(path, 'path') });
    return statsOf(event.attrs as RawSftpAttrs);
  }

  /** The attributes of `path` itself (a symbolic link is not followed). */
  async lstat(path: string): Promise<SftpStats> {
    const event = await this.#run({ op: 'lstat', path: remotePath(path, 'path') });
    return statsOf(event.attrs as RawSftpAttrs);
  }

  /** The entries of a directory, without `.` and `..`, in the server's order. */
  async readdir(path: string): Promise<SftpDirEntry[]> {
    const event = await this.#run({ op: 'readdir', path: remotePath(path, 'path') });
    return (event.entries ?? []).map((entry) => ({ name: entry.name.toString('utf8'), ...statsOf(entry) }));
  }

  /** Makes a directory (its parent must exist). */
  async mkdir(path: string, options?: SftpMkdirOptions): Promise<void> {
    const target = remotePath(path, 'path');
    const given = optionsOf(options, MKDIR_KEYS);
    await this.#run({ op: 'mkdir', path: target, mode: permissions(given.mode, 'options.mode', 0o755) });
  }

  /** Removes an empty directory. */
  async rmdir(path: string): Promise<void> {
    await this.#run({ op: 'rmdir', path: remotePath(path, 'path') });
  }

  /** Removes a file (or a symbolic link). */
  async unlink(path: string): Promise<void> {
    await this.#run({ op: 'unlink', path: remotePath(path, 'path') });
  }

  /** Renames `from` to `to`; an existing `to` fails unless `overwrite` is set. */
  async rename(from: string, to: string, options?: SftpRenameOptions): Promise<void> {
    const source = remotePath(from, 'from');
    const target = remotePath(to, 'to');
    const given = optionsOf(options, RENAME_KEYS);
    if (given.overwrite !== undefined && typeof given.overwrite !== 'boolean') {
      throw settingsError('options.overwrite', `must be a boolean (got ${shown(given.overwrite)})`);
    }
    await this.#run({ op: 'rename', path: source, target, overwrite: given.overwrite === true });
  }

  /** The whole contents of a file. */
  async readFile(path: string, options?: SftpReadFileOptions): Promise<Buffer> {
    const source = remotePath(path, 'path');
    const given = optionsOf(options, READ_KEYS);
    const event = await this.#run({ op: 'readFile', path: source, maxBytes: maxBytesOf(given.maxBytes) });
    return event.data ?? Buffer.alloc(0);
  }

  /** Creates or replaces a file with `data` (a string is written as UTF-8). */
  async writeFile(path: string, data: string | Uint8Array, options?: SftpWriteFileOptions): Promise<void> {
    const target = remotePath(path, 'path');
    const bytes = contents(data);
    const given = optionsOf(options, WRITE_KEYS);
    await this.#run({ op: 'writeFile', path: target, data: bytes, mode: permissions(given.mode, 'options.mode', 0o644) });
  }

  /** Whether `path` exists (a symbolic link to nothing counts: lstat). */
  async exists(path: string): Promise<boolean> {
    try {
      await this.lstat(path);
      return true;
    } catch (error) {
      if (error instanceof SshError && error.sftpStatus?.number === 2) return false;
      throw error;
    }
  }

  /** Ends the session once the operations already called have ended. Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      if (this.#link.notConnected() !== undefined) {
        resolve();
        return;
      }
      try {
        this.#link.handle.sftpClose(this.#link.channel, () => resolve());
      } catch {
        resolve();
      }
    });
    return this.#closing;
  }

  /** `await using sftp = await conn.sftp()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #run(options: Omit<RawSftpOptions, 'channel'>): Promise<RawEvent> {
    return new Promise((resolve, reject) => {
      const down = this.#link.notConnected();
      if (down !== undefined) {
        reject(down);
        return;
      }
      if (this.#closing !== undefined) {
        reject(new SshError({ code: 'INVALID_STATE', level: 'sftp', message: 'SFTP error: the SFTP session is closed' }));
        return;
      }
      const owner = this.#link.owner;
      try {
        this.#link.handle.sftpOp({ ...options, channel: this.#link.channel }, (event) => {
          void owner;
          if (event.ok) resolve(event);
          else reject(sftpError(event));
        });
      } catch (error) {
        reject(error);
      }
    });
  }
}
