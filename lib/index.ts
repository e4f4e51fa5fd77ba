/**
 * native-ssh: a native SSH client for Node.js. libssh2 and OpenSSL 3 run on an engine thread of
 * their own; this package gives two APIs over it: the OPI-compatible functions and an idiomatic
 * promise-based client.
 * @packageDocumentation
 */
export {
  CloseConnection,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetLog,
  GetProxySettings,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  GetSettingsViaAgent,
  IsConnector,
} from './opi';
export type {
  AgentSettings,
  ConnectionConfiguration,
  ExecuteResult,
  ExecuteSuccess,
  KeyboardInteractiveSettings,
  PasswordSettings,
  PrivateKeySettings,
  ProxySettings,
  SshSettings,
} from './opi';
export { connect, Connection, exec } from './client';
export type {
  ConnectOptions,
  ExecChunk,
  ExecExit,
  ExecOptions,
  ExecResult,
  ExecStream,
  HostKeyInfo,
  NegotiatedAlgorithms,
  ProxyOptions,
} from './client';
export { GetLoggingSettings } from './log';
export type { LoggingSettings, LogResult } from './log';
export { SshError } from './errors';
export type { OpiFailure, SshErrorCode, SshErrorLevel } from './errors';
export { versions } from './native';
export type { Versions } from './native';
