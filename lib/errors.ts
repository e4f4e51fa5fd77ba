/**
 * Errors of native-ssh: one class, {@link SshError}, with a stable `code` for programs and a
 * message that keeps the OPI library's prefixes (`TCP error: `, `Auth error: `, ...) for people.
 * @packageDocumentation
 */

import type { SshErrorCode, SshErrorLevel } from './codes';

export type { SshErrorCode, SshErrorLevel } from './codes';

/** What an {@link SshError} is made from (also the shape native events carry). */
export interface SshErrorInit {
  code: SshErrorCode | string;
  level: SshErrorLevel | string;
  message: string;
  errno?: number;
  sftpStatus?: SftpStatus;
}

/** The status an SFTP server answered a refused operation with (SFTP_FAILED). */
export interface SftpStatus {
  /** e.g. `LIBSSH2_FX_NO_SUCH_FILE`. */
  name: string;
  /** The status number of the SFTP protocol, e.g. 2. */
  number: number;
}

/**
 * The error every failing call of the idiomatic client rejects with. Its message never contains
 * a password, passphrase, key or keyboard answer.
 */
export class SshError extends Error {
  /** Stable upper-case code, e.g. `AUTH_FAILED`. */
  readonly code: SshErrorCode;
  /** The stage that failed, e.g. `auth`. */
  readonly level: SshErrorLevel;
  /** The libssh2 error number, where libssh2 reported one. */
  readonly errno?: number;
  /** SFTP_FAILED errors the server reported: its status. */
  readonly sftpStatus?: SftpStatus;

  constructor(init: SshErrorInit) {
    super(init.message);
    this.name = 'SshError';
    this.code = init.code as SshErrorCode;
    this.level = init.level as SshErrorLevel;
    if (init.errno !== undefined) this.errno = init.errno;
    if (init.sftpStatus !== undefined) this.sftpStatus = { name: init.sftpStatus.name, number: init.sftpStatus.number };
  }
}

/**
 * A value as an error message shows it: strings quoted (cut at 64 characters), numbers and the
 * like as they are, anything else by its kind only. Never throws (BigInt, cycles, hostile
 * toJSON), and never prints the content of an object that might hold a secret.
 */
export function shown(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      if (value === null) return 'null';
      return Array.isArray(value) ? 'an array' : 'an object';
  }
}

/** A `Settings error: <field> ...` failure, raised before any network work. */
export function settingsError(field: string, expected: string): SshError {
  return new SshError({
    code: 'INVALID_SETTINGS',
    level: 'settings',
    message: `Settings error: ${field} ${expected}`,
  });
}

/** The OPI form of a failure: `{result: false, error, code}`. */
export interface OpiFailure {
  result: false;
  error: string;
  code: SshErrorCode;
}

/** Turns any thrown value into OPI's failure result (unknown errors keep their message). */
export function toOpiFailure(error: unknown): OpiFailure {
  if (error instanceof SshError) return { result: false, error: error.message, code: error.code };
  const message = error instanceof Error ? error.message : String(error);
  return { result: false, error: message, code: 'INVALID_STATE' };
}
