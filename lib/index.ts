// The public types use Node's (Buffer, AbortSignal, NodeJS.ErrnoException): the emitted
// dist/index.d.ts keeps this line, so a program compiled with `"types": []` still finds them.
/// <reference types="node" preserve="true" />
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
  OpiProxyType,
  PasswordSettings,
  PrivateKeySettings,
  ProxySettings,
  SettingsExtensions,
  SshSettings,
} from './opi';
export { connect, Connection, exec } from './client';
export type {
  ConnectionEvents,
  ConnectOptions,
  ExecChunk,
  ExecExit,
  ExecLine,
  ExecOptions,
  ExecResult,
  ExecStream,
  HostKeyInfo,
  NegotiatedAlgorithms,
  ProxyOptions,
  StdinSource,
} from './client';
export type {
  AgentLogin,
  AlgorithmOptions,
  ConnectionOptions,
  HostKeyCandidate,
  HostKeyOptions,
  KeyboardLogin,
  LoginOptions,
  PasswordLogin,
  PrivateKeyLogin,
  PrivateKeyPathLogin,
  ProxyType,
} from './options';
export { GetLoggingSettings } from './log';
export type { LoggingSettings, LogResult } from './log';
export { SshError } from './errors';
export type { OpiFailure, SshErrorCode, SshErrorInit, SshErrorLevel } from './errors';
export { versions } from './native';
export type { Versions } from './native';
