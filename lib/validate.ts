/**
 * The checks every setting goes through, whichever API it came from: each returns the value in
 * its normal form or throws a `Settings error: <field> ...` ({@link settingsError}) naming the
 * field and the expected form, never echoing a secret's value. Pure functions, any thread.
 * @packageDocumentation
 */
import { settingsError, shown } from './errors';
import { checkKeys, type KeySpec } from './known-keys';
import type { KeySource } from './plan';

/** Describes a value for an error message, without its content when it may be a secret. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** True for an object that is not null and not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain options object (not null, not an array), whose keys `spec` knows. */
export function optionsObject(value: unknown, field: string, spec: KeySpec): Record<string, unknown> {
  if (!isRecord(value)) throw settingsError(field, `must be an object (got ${shown(value)})`);
  checkKeys(value, spec);
  return value;
}

/** A required non-empty string without NUL bytes. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw settingsError(field, `must be a non-empty string (got ${describe(value)})`);
  }
  if (value.length === 0) throw settingsError(field, 'must be a non-empty string (got "")');
  if (value.includes('\0')) throw settingsError(field, 'must not contain NUL characters');
  return value;
}

/** An optional string: undefined/null stay absent. Secrets are never echoed. */
export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw settingsError(field, `must be a string when given (got ${describe(value)})`);
  }
  return value;
}

/** A TCP port: an integer 1..65535, or its decimal text (OPI's CLI passes ports as strings). */
export function requirePort(value: unknown, field: string): number {
  let port: number = Number.NaN;
  if (typeof value === 'number') port = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) port = Number(value.trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw settingsError(field, `must be an integer from 1 to 65535 (got ${shown(value)})`);
  }
  return port;
}

/** The longest duration a timer can wait: 2^31-1 ms (about 24.8 days). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A duration in milliseconds; `fallback` when absent. `zero`: what 0 means (`none`, `off`), or
 * undefined when 0 is not allowed. Anything out of range (negative, NaN, Infinity, over
 * {@link MAX_TIMEOUT_MS}) is a Settings error, never replaced.
 */
export function requireMs(value: unknown, field: string, fallback: number, zero?: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < (zero !== undefined ? 0 : 1) || value > MAX_TIMEOUT_MS) {
    const range = zero !== undefined ? `from 0 (${zero}) to ${MAX_TIMEOUT_MS}` : `from 1 to ${MAX_TIMEOUT_MS}`;
    throw settingsError(field, `must be a number of milliseconds ${range} (about 24.8 days) (got ${shown(value)})`);
  }
  return Math.ceil(value);
}

/** An algorithm list: an array of names or a comma-separated string. */
export function algorithmList(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const names = Array.isArray(value) ? Array.from(value) : typeof value === 'string' ? value.split(',') : undefined;
  if (names === undefined || names.length === 0 || names.some((n) => typeof n !== 'string' || !/^[A-Za-z0-9@._+-]+$/.test(n.trim()))) {
    throw settingsError(field, 'must be a non-empty list of algorithm names (an array, or a comma-separated string)');
  }
  return names.map((n: string) => n.trim()).join(',');
}

const PRIVATE_KEY_TEXT = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const PUBLIC_KEY_TEXT = /^\s*(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+\s+[A-Za-z0-9+/=]+|^\s*---- BEGIN SSH2 PUBLIC KEY ----/;
/** The largest key (file or text) accepted: real keys are a few KiB. */
export const MAX_KEY_BYTES = 1024 * 1024;

/** True when `text` is a private key itself (PEM or OpenSSH), not a path to one. */
export function isPrivateKeyText(text: string): boolean {
  return PRIVATE_KEY_TEXT.test(text);
}

/** True when `text` is a public key itself (`ssh-... AAAA...` or RFC 4716), not a path to one. */
export function isPublicKeyText(text: string): boolean {
  return PUBLIC_KEY_TEXT.test(text);
}

function keyText(text: Buffer, field: string): KeySource {
  if (text.length > MAX_KEY_BYTES) throw settingsError(field, `must be a key of at most 1 MiB (got ${text.length} bytes)`);
  return { text, field };
}

/**
 * A private key: PEM/OpenSSH text (string or Buffer) is used from memory, anything else is a path.
 * Public key text is kept as text too, so that the check of its content can say what it is.
 */
export function keySource(value: unknown, field: string): KeySource {
  if (Buffer.isBuffer(value)) {
    if (value.length === 0) throw settingsError(field, 'must not be empty');
    return keyText(value, field);
  }
  const text = requireString(value, field);
  if (isPrivateKeyText(text) || isPublicKeyText(text)) return keyText(Buffer.from(text, 'utf8'), field);
  return { path: text, field };
}

/** A public key: `ssh-... AAAA...` text is used as it is; anything else is a path. */
export function publicKeySource(value: unknown, field: string): KeySource {
  if (Buffer.isBuffer(value)) return keyText(value, field);
  const text = requireString(value, field);
  if (isPublicKeyText(text)) return keyText(Buffer.from(text, 'utf8'), field);
  return { path: text, field };
}
