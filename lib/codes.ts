// Generated from native/core/codes.h by scripts/gen-codes.mjs: do not edit (run the script).
/**
 * The contract with the engine, written once in native/core/codes.h: error codes, levels and
 * shared defaults.
 * @packageDocumentation
 */

/** Every {@link SshErrorCode}, in codes.h's order. */
export const ERROR_CODES = [
  'INVALID_SETTINGS',
  'DNS_FAILED',
  'CONNECT_FAILED',
  'PROXY_AUTH_FAILED',
  'PROXY_REFUSED',
  'PROXY_PROTOCOL',
  'PROXY_UNSUPPORTED',
  'HANDSHAKE_FAILED',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_MISMATCH',
  'AUTH_FAILED',
  'KEY_INVALID',
  'AGENT_FAILED',
  'CHANNEL_FAILED',
  'CONNECTION_LOST',
  'TIMEOUT',
  'ABORTED',
  'NOT_CONNECTED',
  'SESSION_FAILED',
  'INVALID_STATE',
  'STDIN_FAILED',
  'SFTP_FAILED',
] as const;

/** Stable error codes. Programs test these, never message texts. */
export type SshErrorCode = (typeof ERROR_CODES)[number];

/** Every {@link SshErrorLevel}. */
export const ERROR_LEVELS = [
  'settings',
  'proxy',
  'connect',
  'handshake',
  'host-key',
  'auth',
  'channel',
  'timeout',
  'sftp',
] as const;

/** Where in the life of a connection a failure happened. */
export type SshErrorLevel = (typeof ERROR_LEVELS)[number];

/** Defaults the engine and TypeScript share. */
export const DEFAULTS = {
  connectTimeoutMs: 30000,
  port: 22,
  ptyTerm: 'xterm',
  ptyCols: 80,
  ptyRows: 24,
} as const;
