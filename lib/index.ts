// The public types use Node's (Buffer, AbortSignal, NodeJS.ErrnoException): the emitted
// dist/index.d.ts keeps this line, so a program compiled with `"types": []` still finds them.
/// <reference types="node" preserve="true" />
/**
 * native-ssh: a native SSH client for Node.js. libssh2 and OpenSSL 3 run on an engine thread of
 * their own; this package gives two APIs over it: the OPI-compatible functions and an idiomatic
 * promise-based client.
 * @packageDocumentation
 */
export { CloseConnection, CreateConnection, ExecuteCommand, GetLog, IsConnector } from './opi/functions';
export type { ExecuteResult, ExecuteSuccess } from './opi/functions';
export {
  CreateNewDirectory,
  DeleteDirectory,
  DeleteFile,
  GetCurrentDirectory,
  GetFileData,
  GetFileInformation,
  ListObjects,
  SaveFile,
  UpdatePath,
  UploadFile,
} from './opi/sftp';
export type {
  CloseInfo,
  FileDataResult,
  FileInfo,
  FileInformationResult,
  ListResult,
  OpiSftpFailure,
  PathResult,
  SaveResult,
  SftpResult,
  SftpTarget,
  UploadResult,
} from './opi/sftp';
/** OPI's SFTP library as a namespace: `sftp.ListObjects(...)`, with its connection and settings functions. */
export * as sftp from './opi/sftp';
export { GetLoggingSettings } from './opi/log';
export type { LoggingSettings, LogResult } from './opi/log';
export {
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  GetSettingsViaAgent,
} from './opi/settings';
export type {
  AgentSettings,
  ConnectionConfiguration,
  KeyboardInteractiveSettings,
  OpiProxyType,
  PasswordSettings,
  PrivateKeySettings,
  ProxySettings,
  SettingsExtensions,
  SshSettings,
} from './opi/settings';
export { connect, exec } from './client';
export { Connection } from './connection';
export type { ConnectionEvents, ExecResult, HostKeyInfo, NegotiatedAlgorithms } from './connection';
export type { ExecChunk, ExecExit, ExecLine, ExecStream } from './exec-stream';
export { Sftp } from './sftp';
export type { SftpDirEntry, SftpFileType, SftpMkdirOptions, SftpReadFileOptions, SftpRenameOptions, SftpStats, SftpWriteFileOptions } from './sftp';
export type { StdinSource } from './exec-stdin';
export type {
  AgentLogin,
  AlgorithmOptions,
  ConfigLogin,
  ConnectionOptions,
  ConnectOptions,
  ExecOptions,
  HostKeyCandidate,
  HostKeyOptions,
  KeyboardLogin,
  LoginOptions,
  PasswordLogin,
  PrivateKeyLogin,
  PrivateKeyPathLogin,
  ProxyOptions,
  ProxyType,
  SshConfigConnectionOptions,
} from './options';
export { resolveSshConfig } from './ssh-config';
export type { ResolvedSshConfig, SshConfigHop, SshConfigIgnored, SshConfigLocation, SshConfigOptions } from './ssh-config';
export { SshError } from './errors';
export type { OpiFailure, SftpStatus, SshErrorCode, SshErrorInit, SshErrorLevel } from './errors';
export { versions } from './native';
export type { Versions } from './native';
