/**
 * The OPI SFTP functions (`ListObjects`, `CreateNewDirectory`, `DeleteDirectory`,
 * `GetCurrentDirectory`, `UploadFile`, `DeleteFile`, `SaveFile`, `GetFileData`,
 * `GetFileInformation`, `UpdatePath`) with OPI's names, parameters and result shapes, over the
 * idiomatic client's {@link Sftp}. Each call opens an SFTP session on the connection and closes it
 * at the end; given a configuration, it also opens and closes the connection and adds
 * `close_connection`. Nothing here throws or rejects for a failure: failures resolve to
 * `{result: false, error, code, sftp_status?}` with OPI's error texts. Files are moved whole in
 * memory, at most {@link MAX_FILE_BYTES}. JavaScript thread.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import nodePath from 'node:path';

import { Connection } from '../connection';
import { type OpiFailure, settingsError, shown, SshError, toOpiFailure } from '../errors';
import { DEFAULT_MAX_READ_BYTES, type Sftp, type SftpStats } from '../sftp';
import { describe } from '../validate';
import type { ConnectionConfiguration } from './settings';

// OPI's SFTP library re-exports the SSH library's connection and settings functions unchanged.
export { CloseConnection, CreateConnection, IsConnector } from './functions';
import { openConfiguration } from './functions';
export {
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  GetSettingsViaAgent,
} from './settings';

/** The largest file `UploadFile`, `SaveFile` and `GetFileData` move (whole, in memory): 1 GiB. */
export const MAX_FILE_BYTES = DEFAULT_MAX_READ_BYTES;

/** An OPI SFTP failure: OPI's text in `error`, our code, and the server's SFTP status where there is one. */
export interface OpiSftpFailure extends OpiFailure {
  /** The SFTP status number the server answered with (e.g. 2: no such file, 4: failure). */
  sftp_status?: number;
}

/** Added to every result map in configuration mode (success or failure). */
export interface CloseInfo {
  close_connection?: { result: true };
}

/** A remote file or directory, as OPI describes it. */
export interface FileInfo {
  uid: number | null;
  gid: number | null;
  is_directory: boolean;
  /** From the mode bits: of the entry itself in a listing, of an LSTAT in GetFileInformation. */
  is_symlink: boolean;
  /** Unix seconds. */
  modified: number | null;
  accessed: number | null;
  /** The last path component. */
  name: string;
  /** The text after the name's last dot (a leading dot does not count), or "". */
  extension: string;
  size: number | null;
  /** The path asked for, joined with the name by "/" in listings. */
  path: string;
  /** The whole st_mode in octal, without a leading 0: "100644", "40755". */
  permissions: string;
  /** Recursive listings only, on directories: their entries, or the error text of listing them. */
  objects?: FileInfo[] | string;
}

export type SftpResult<T extends object = object> = (({ result: true } & T) | OpiSftpFailure) & CloseInfo;
export type ListResult = SftpResult<{ data: FileInfo[] }>;
export type PathResult = SftpResult<{ path: string }>;
export type UploadResult = SftpResult<{ bytes: number }>;
export type SaveResult = SftpResult<{ bytes: number; filepath: string }>;
export type FileInformationResult = SftpResult<{ data: FileInfo }>;
export type FileDataResult = Buffer | (OpiSftpFailure & CloseInfo);

/** Where a function's connection comes from: a Connection, or a configuration from GetConnectionConfiguration. */
export type SftpTarget = Connection | ConnectionConfiguration;

/** OPI's texts of the SFTP status numbers. */
const STATUS_TEXT: readonly string[] = [
  'ok',
  'end of file',
  'no such file',
  'permission denied',
  'failure',
  'bad message',
  'no connection',
  'connection lost',
  'operation unsupported',
  'invalid handle',
  'no such path',
  'file already exists',
  'file is write protected',
  'no media available',
  'no space on filesystem',
  'quota exceeded',
  'unknown principal',
  'lock conflict',
  'directory not empty',
  'not a directory',
  'invalid filename',
  'link loop',
];

/** A failure already in OPI's form, thrown out of an operation to the wrapper. */
class OpiStepError extends Error {
  constructor(readonly failure: OpiSftpFailure) {
    super(failure.error);
  }
}

/** OPI's failure for `error`: `<prefix>[SFTP(n)] <text>` for a server refusal, else our message. */
function failureOf(error: unknown, prefix = ''): OpiSftpFailure {
  if (error instanceof OpiStepError) return error.failure;
  if (error instanceof SshError && error.sftpStatus !== undefined) {
    const status = error.sftpStatus.number;
    const text = STATUS_TEXT[status] ?? 'unknown error';
    return { result: false, error: `${prefix}[SFTP(${status})] ${text}`, code: error.code, sftp_status: status };
  }
  return toOpiFailure(error);
}

/** Runs `work`, turning its SFTP refusal into OPI's `<prefix>[SFTP(n)] ...` failure. */
async function step<T>(prefix: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new OpiStepError(failureOf(error, prefix));
  }
}

/** A local file failure: `<prefix><Node's text>` (OPI's `File error: ` / `Write error: `), naming `shownPath` for `actualPath`. */
function localFailure(prefix: string, error: unknown, code: OpiFailure['code'], actualPath?: string, shownPath?: string): OpiStepError {
  let text = error instanceof Error ? error.message : String(error);
  if (actualPath !== undefined && shownPath !== undefined) text = text.split(actualPath).join(shownPath);
  return new OpiStepError({ result: false, error: `${prefix}${text}`, code });
}

/**
 * Runs `work` on an SFTP session of `target` (closed after). A configuration is connected first
 * and closed after, also on failure, and a result map gets `close_connection`.
 */
async function onSftp<T extends object>(target: SftpTarget, work: (sftp: Sftp) => Promise<T>): Promise<T | (OpiSftpFailure & CloseInfo)> {
  const inSession = async (connection: Connection): Promise<T | OpiSftpFailure> => {
    let sftp: Sftp | undefined;
    try {
      sftp = await connection.sftp();
      return await work(sftp);
    } catch (error) {
      return failureOf(error);
    } finally {
      await sftp?.close();
    }
  };
  if (target instanceof Connection) return inSession(target);
  let opened: Connection;
  try {
    opened = await openConfiguration(target);
  } catch (error) {
    return failureOf(error);
  }
  let result: T | OpiSftpFailure;
  try {
    result = await inSession(opened);
  } finally {
    await opened.close();
  }
  if (Buffer.isBuffer(result)) return result;
  return Object.assign(result, { close_connection: { result: true as const } });
}

/** A flag OPI passes as a boolean or its text ("true" / "false"). */
function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw settingsError(field, `must be a boolean or "true" / "false" (got ${shown(value)})`);
}

/** OPI's permissions: decimal digits read as octal (700 → 0o700); a number or numeric text. */
function octalDigits(value: unknown): number {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^[0-7]{1,5}$/.test(text) || Number.parseInt(text, 8) > 0o7777) {
    throw settingsError('permissions', `must be octal digits from 0 to 7777 as OPI gives them (700, "755", "0755") (got ${shown(value)})`);
  }
  return Number.parseInt(text, 8);
}

/** The last component of a remote path ("a/b/" → "b"). */
function baseName(remote: string): string {
  const parts = remote.split('/').filter((part) => part !== '');
  return parts.length === 0 ? remote : (parts[parts.length - 1] as string);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1);
}

/** `dir` joined with `name` by "/"; onto "" the bare name. */
function joined(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

function fileInfo(stats: SftpStats, name: string, remote: string, isSymlink: boolean): FileInfo {
  return {
    uid: stats.uid,
    gid: stats.gid,
    is_directory: stats.type === 'directory',
    is_symlink: isSymlink,
    modified: Math.floor(stats.mtime.getTime() / 1000),
    accessed: Math.floor(stats.atime.getTime() / 1000),
    name,
    extension: extensionOf(name),
    size: stats.size,
    path: remote,
    permissions: stats.mode.toString(8),
  };
}

async function listing(sftp: Sftp, dir: string, recursively: boolean): Promise<FileInfo[]> {
  const entries = await step('', sftp.readdir(dir));
  const data = entries.map((entry) => fileInfo(entry, entry.name, joined(dir, entry.name), entry.type === 'symlink'));
  if (!recursively) return data;
  for (const info of data) {
    if (!info.is_directory) continue;
    try {
      info.objects = await listing(sftp, info.path, true);
    } catch (error) {
      info.objects = failureOf(error).error;
    }
  }
  return data;
}

/**
 * The entries of a remote directory (`""` is the current one), in the server's order, without `.`
 * and `..`; with `recursively`, each directory gets `objects` (symbolic links are not followed).
 */
export function ListObjects(connection: SftpTarget, path = '', recursively = false): Promise<ListResult> {
  return onSftp(connection, async (sftp) => {
    const deep = flag(recursively, 'recursively');
    return { result: true as const, data: await listing(sftp, path, deep) };
  });
}

/** Makes a directory (its parent must exist); `permissions` are octal digits as OPI gives them (700). */
export function CreateNewDirectory(connection: SftpTarget, path: string, permissions: number | string = 700): Promise<SftpResult> {
  return onSftp(connection, async (sftp) => {
    const mode = octalDigits(permissions);
    await step('', sftp.mkdir(path, { mode }));
    return { result: true as const };
  });
}

/** Removes an empty directory. */
export function DeleteDirectory(connection: SftpTarget, path: string): Promise<SftpResult> {
  return onSftp(connection, async (sftp) => {
    await step('', sftp.rmdir(path));
    return { result: true as const };
  });
}

/** The directory relative paths start from, as the SFTP server resolves "." (no shell involved). */
export function GetCurrentDirectory(connection: SftpTarget): Promise<PathResult> {
  return onSftp(connection, async (sftp) => ({ result: true as const, path: await step('', sftp.realpath('.')) }));
}

function tooLarge(field: string, size: number): SshError {
  return settingsError(
    field,
    `is ${size} bytes; the OPI SFTP functions move a file whole in memory, at most ${MAX_FILE_BYTES} bytes (use conn.sftp() for larger files)`,
  );
}

async function localContents(file: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(file)) return file;
  if (file instanceof Uint8Array) return Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (typeof file !== 'string') throw settingsError('file', `must be a local file path, a Buffer or a Uint8Array (got ${describe(file)})`);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw localFailure('File error: ', error, 'INVALID_SETTINGS');
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_FILE_BYTES) throw tooLarge('file', size);
    return await handle.readFile();
  } catch (error) {
    if (error instanceof SshError) throw error;
    throw localFailure('Read error: ', error, 'INVALID_STATE');
  } finally {
    await handle.close();
  }
}

/** Creates or replaces the remote file `path` with `file`: a local file's path, or the bytes. */
export function UploadFile(connection: SftpTarget, file: string | Uint8Array, path: string): Promise<UploadResult> {
  return onSftp(connection, async (sftp) => {
    const bytes = await localContents(file);
    if (bytes.length > MAX_FILE_BYTES) throw tooLarge('file', bytes.length);
    await step('Remote file access error: ', sftp.writeFile(path, bytes));
    return { result: true as const, bytes: bytes.length };
  });
}

/** Removes a remote file. */
export function DeleteFile(connection: SftpTarget, path: string): Promise<SftpResult> {
  return onSftp(connection, async (sftp) => {
    await step('', sftp.unlink(path));
    return { result: true as const };
  });
}

function remoteContents(sftp: Sftp, remote: string): Promise<Buffer> {
  return step('Remote file access error: ', sftp.readFile(remote, { maxBytes: MAX_FILE_BYTES }));
}

/** The permission bits of an existing local file, or 0o644 for a new one. */
async function localMode(local: string): Promise<number> {
  try {
    return (await fs.stat(local)).mode & 0o7777;
  } catch {
    return 0o644;
  }
}

/**
 * Writes `bytes` to `local` through a temporary file in the same directory, renamed over it at the
 * end (an existing file's permission bits are kept).
 */
async function replaceLocal(local: string, bytes: Buffer): Promise<void> {
  const temporary = nodePath.join(nodePath.dirname(local), `.${nodePath.basename(local)}.${randomBytes(6).toString('hex')}.part`);
  const mode = await localMode(local);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(temporary, 'wx', mode);
  } catch (error) {
    throw localFailure('File error: ', error, 'INVALID_SETTINGS', temporary, local);
  }
  try {
    try {
      await handle.writeFile(bytes);
      await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, local);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw localFailure('Write error: ', error, 'INVALID_STATE', temporary, local);
  }
}

/**
 * Saves the remote file `path` as the local file `fileName`. The remote file is read first and
 * written through a temporary file renamed at the end, so a failure leaves an existing local file
 * as it was.
 */
export function SaveFile(connection: SftpTarget, path: string, fileName: string): Promise<SaveResult> {
  return onSftp(connection, async (sftp) => {
    if (typeof fileName !== 'string' || fileName === '') throw settingsError('fileName', `must be a non-empty local path (got ${shown(fileName)})`);
    const bytes = await remoteContents(sftp, path);
    await replaceLocal(fileName, bytes);
    return { result: true as const, bytes: bytes.length, filepath: fileName };
  });
}

/** The contents of a remote file as a Buffer, or a failure map. */
export function GetFileData(connection: SftpTarget, path: string): Promise<FileDataResult> {
  return onSftp(connection, (sftp) => remoteContents(sftp, path));
}

/** The attributes of a remote path (following symbolic links; `is_symlink` says whether it is one). */
export function GetFileInformation(connection: SftpTarget, path: string): Promise<FileInformationResult> {
  return onSftp(connection, async (sftp) => {
    const stats = await step('', sftp.stat(path));
    const own = await step('', sftp.lstat(path));
    return { result: true as const, data: fileInfo(stats, baseName(path), path, own.type === 'symlink') };
  });
}

/**
 * Renames or moves `path` to `newPath`. An existing target fails unless `overwrite` is true; then
 * it is replaced atomically (posix-rename@openssh.com).
 */
export function UpdatePath(connection: SftpTarget, path: string, newPath: string, overwrite: boolean | string = false): Promise<SftpResult> {
  return onSftp(connection, async (sftp) => {
    await step('', sftp.rename(path, newPath, { overwrite: flag(overwrite, 'overwrite') }));
    return { result: true as const };
  });
}
