// Type tests: compiled (never run) against the declarations a user gets: test/unit/types.test.mjs puts
// dist/*.d.ts and package.json into node_modules/native-ssh of a scratch app and runs tsc there
// (strict, "types": [] so that Node's types come only through the package's own reference).
// Each `@ts-expect-error` must be an error, or tsc fails ("unused directive"); each sits right
// above the line the error belongs to, so an error elsewhere does not satisfy it.
import {
  connect,
  ConnectOptions,
  Connection,
  CreateConnection,
  exec,
  ExecuteCommand,
  FileInfo,
  GetFileData,
  GetFileInformation,
  ListObjects,
  ListResult,
  SaveFile,
  sftp,
  UpdatePath,
  UploadFile,
  ExecuteResult,
  GetConnectionConfiguration,
  GetLog,
  GetLoggingSettings,
  GetProxySettings,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  HostKeyCandidate,
  IsConnector,
  LogResult,
  OpiFailure,
  OpiSftpFailure,
  Sftp,
  SftpDirEntry,
  SftpStats,
  ProxyOptions,
  ResolvedSshConfig,
  resolveSshConfig,
  SshConfigHop,
  SshConfigOptions,
  SshError,
  SshErrorCode,
  versions,
} from 'native-ssh';

async function opi(): Promise<void> {
  const set = GetSettingsPrivateKey('h', 22, 'u', '/k');
  const proxy = GetProxySettings('p', 1080, 'socks5', 'l', 'pw');
  GetProxySettings('p', '1080', 'HTTP');
  GetProxySettings('p', 1080, 'Socks4');
  GetProxySettings('p', 1080);
  // @ts-expect-error a misspelt proxy type
  GetProxySettings('p', 1080, 'sock5');
  const result: ExecuteResult = await ExecuteCommand(GetConnectionConfiguration(set, proxy), 'whoami');
  // @ts-expect-error a result must be narrowed before stdout can be read
  console.log(result.stdout);
  if (result.result) {
    const out: string = result.stdout;
    const code: string = result.exit_code;
    console.log(out, code, result.close_connection?.result);
  } else {
    const error: string = result.error;
    const code: SshErrorCode = result.code;
    console.log(error, code);
  }
  const conn = await CreateConnection(set, undefined, GetLoggingSettings());
  if (IsConnector(conn)) {
    const c: Connection = conn;
    // GetLog: the structure by default (or asString false), text with asString true; either may be a failure.
    const log: LogResult | OpiFailure = GetLog(c);
    if (log.result) console.log(log.logs.length, log.total);
    const same: LogResult | OpiFailure = GetLog(c, false, 10);
    const text: string | OpiFailure = GetLog(c, true);
    if (typeof text === 'string') console.log(text.split('\n'));
    const asked = Math.random() > 0.5;
    const either: LogResult | string | OpiFailure = GetLog(c, asked);
    console.log(same, either);
    // @ts-expect-error the structure is not a string
    const wrongText: string = GetLog(c, false);
    // @ts-expect-error text has no logs
    console.log(GetLog(c, true).logs);
    // @ts-expect-error a failure is possible: narrow on result first
    console.log(GetLog(c).logs);
    console.log(wrongText);
  } else {
    // @ts-expect-error a failure is not a connection
    await conn.exec('true');
  }
  // @ts-expect-error the port is a number or numeric text
  GetSettingsPrivateKey('h', { port: 22 }, 'u', '/k');
  // Extension fields are declared (null: not given); anything else is a typo.
  await CreateConnection({ ...GetSettingsLoginPassword('h', 22, 'u', 'p'), command_timeout: 5, known_hosts: null, host_key_policy: 'strict' });
  // @ts-expect-error OPI's typo of command_timeout
  await CreateConnection({ ...GetSettingsLoginPassword('h', 22, 'u', 'p'), comand_timeout: 5 });
  await CreateConnection(set, { server: 'p', port: 1080, proxy_type: 'http' });
  await CreateConnection(set, {
    server: 'p',
    port: 1080,
    // @ts-expect-error a misspelt proxy type
    proxy_type: 'sock5',
  });
}

/** Every way to log in compiles; none, or two at once, does not. */
function logins(key: Buffer): ConnectOptions[] {
  const where = { host: 'h', username: 'u' };
  const valid: ConnectOptions[] = [
    { ...where, password: 'p' },
    { ...where, password: 'p', agent: false },
    { ...where, privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\n...' },
    { ...where, privateKey: key, passphrase: 'x', publicKey: 'ssh-ed25519 AAAA...' },
    { ...where, privateKeyPath: '/k', passphrase: 'x', publicKey: '/k.pub' },
    { ...where, agent: true },
    { ...where, agent: '/run/agent.sock' },
    { ...where, keyboard: ['a', 'b'] },
    { ...where, port: 2222, password: 'p', proxy: { type: 'http', host: 'p', port: 3128 }, hostKey: { policy: 'strict' } },
  ];
  // @ts-expect-error no way to log in
  const none: ConnectOptions = { host: 'h', username: 'u' };
  // @ts-expect-error agent: false is no way to log in either
  const agentOff: ConnectOptions = { host: 'h', username: 'u', agent: false };
  // @ts-expect-error two ways at once
  const two: ConnectOptions = { host: 'h', username: 'u', password: 'p', privateKeyPath: '/k' };
  // @ts-expect-error key text and key file at once
  const both: ConnectOptions = { host: 'h', username: 'u', privateKey: 'k', privateKeyPath: '/k' };
  // @ts-expect-error a passphrase belongs to a key login
  const stray: ConnectOptions = { host: 'h', username: 'u', password: 'p', passphrase: 'x' };
  // @ts-expect-error the password may be missing (process.env values are string | undefined)
  const maybe: ConnectOptions = { host: 'h', username: 'u', password: process.env.NOT_SET };
  return [...valid, none, agentOff, two, both, stray, maybe];
}

/** With sshConfig, username and the login may be left to the OpenSSH client config. */
async function fromSshConfig(): Promise<ConnectOptions[]> {
  const valid: ConnectOptions[] = [
    { host: 'alias', sshConfig: true },
    { host: 'alias', sshConfig: '/etc/ssh/my_config', username: 'u', port: 2222, connectTimeout: 5000 },
    { host: 'alias', sshConfig: true, passphrase: 'for the IdentityFile' },
    { host: 'alias', sshConfig: true, agent: false },
    { host: 'alias', sshConfig: true, password: 'p', hostKey: { policy: 'strict' } },
    { host: 'h', username: 'u', password: 'p', sshConfig: false },
  ];
  const conn = await connect({ host: 'alias', sshConfig: true });
  await exec({ host: 'alias', sshConfig: '/etc/ssh/my_config' }, 'true');
  const resolved: ResolvedSshConfig = await resolveSshConfig('alias', { file: '/etc/ssh/my_config', user: 'u' });
  const hops: SshConfigHop[] = resolved.proxyJump;
  const options: SshConfigOptions = { systemFile: false };
  console.log(conn, hops, options, resolved.ignored[0]?.line);
  // @ts-expect-error sshConfig is true or a path
  const numeric: ConnectOptions = { host: 'alias', sshConfig: 1 };
  // @ts-expect-error without sshConfig, the username is required
  const noUser: ConnectOptions = { host: 'h', password: 'p', sshConfig: false };
  // @ts-expect-error two ways at once, config or not
  const two: ConnectOptions = { host: 'alias', sshConfig: true, password: 'p', agent: true };
  // @ts-expect-error a public key alone is no login
  const publicOnly: ConnectOptions = { host: 'alias', sshConfig: true, publicKey: '/k.pub' };
  return [...valid, numeric, noUser, two, publicOnly];
}

async function idiomatic(): Promise<void> {
  const conn = await connect({ host: 'h', username: 'u', privateKeyPath: '/k', hostKey: { policy: 'strict' } });
  const text = await conn.exec('uname');
  const s: string = text.stdout;
  const bytes = await conn.exec('cat /bin/true', { encoding: 'buffer' });
  const b: Buffer = bytes.stdout;
  const exit: number | null = bytes.exitCode;
  // @ts-expect-error encoding is utf8 or buffer
  await conn.exec('x', { encoding: 'latin1' });
  // @ts-expect-error an unknown policy
  await connect({ host: 'h', username: 'u', password: 'p', hostKey: { policy: 'yolo' } });
  // @ts-expect-error ssh2's name (connectTimeout here)
  await connect({ host: 'h', username: 'u', password: 'p', readyTimeout: 5000 });
  // @ts-expect-error no way to log in
  await exec({ host: 'h', username: 'u' }, 'true');
  // @ts-expect-error connections are made by connect()
  new Connection();
  conn.on('close', (error) => console.log(error?.code, conn.closed, conn.closedReason));
  // @ts-expect-error the close listener gets an SshError, not a string
  conn.on('close', (error: string) => console.log(error));
  await connect({ host: 'h', username: 'u', password: 'p', debug: (line: string) => console.log(line), hostKey: { hashKnownHosts: true } });
  const viaProxy: ProxyOptions = {
    // @ts-expect-error a misspelt proxy type
    type: 'sock5',
    host: 'p',
    port: 1080,
  };
  const verify = (key: HostKeyCandidate): boolean => key.fingerprint.startsWith('SHA256:') && key.key.length > 0;
  await connect({ host: 'h', username: 'u', agent: true, proxy: viaProxy, hostKey: { verify } });
  for await (const chunk of conn.stream('yes', { signal: AbortSignal.timeout(10) })) {
    const which: 'stdout' | 'stderr' = chunk.stream;
    console.log(which, chunk.data.length);
  }
  // Internal members are not in the published declarations.
  // @ts-expect-error internal
  conn.execRaw({ command: 'true' });
  // @ts-expect-error internal
  conn.submitExec({ command: 'true' }, undefined, () => undefined, () => undefined);
  const piped = conn.stream('read x; echo $x', { stdin: 'pipe' });
  piped.stdin.end('answer\n');
  for await (const { stream, line } of piped.lines('stdout')) console.log(stream, line);
  const plain = conn.stream('true');
  // @ts-expect-error stdin is a Writable only with stdin: 'pipe' (else null)
  plain.stdin.write('x');
  const cancelled: true | undefined = (await plain.cancel()).cancelled;
  async function* source(): AsyncGenerator<string | Buffer> {
    yield 'text';
    yield Buffer.from('bytes');
  }
  await conn.exec('sha256sum', { stdin: source() });
  // @ts-expect-error a number is not a stdin (a Settings error at run time too)
  await conn.exec('cat', { stdin: 42 });
  console.log(cancelled);
  const sftp: Sftp = await conn.sftp();
  const entries: SftpDirEntry[] = await sftp.readdir('');
  const kind: 'file' | 'directory' | 'symlink' | 'other' = entries[0].type;
  const stats: SftpStats = await sftp.stat('/etc/hostname');
  const when: Date = stats.mtime;
  const home: string = await sftp.realpath();
  const file: Buffer = await sftp.readFile('f', { maxBytes: 1024 });
  await sftp.writeFile('f', file, { mode: 0o600 });
  await sftp.writeFile('f', 'text');
  await sftp.mkdir('d', { mode: 0o700 });
  await sftp.rename('a', 'b', { overwrite: true });
  const there: boolean = await sftp.exists('b');
  // @ts-expect-error overwrite is a boolean
  await sftp.rename('a', 'b', { overwrite: 'yes' });
  // @ts-expect-error an unknown option
  await sftp.readFile('f', { encoding: 'utf8' });
  // @ts-expect-error made by conn.sftp()
  new Sftp();
  // @ts-expect-error internal
  Sftp.fromEngine({});
  await sftp.close();
  console.log(kind, when, home, there);
  try {
    await conn.close();
  } catch (error) {
    if (error instanceof SshError) console.log(error.code, error.level, error.errno, error.sftpStatus?.name, error.sftpStatus?.number);
  }
  console.log(s, b, exit, versions().libssh2);
}

async function opiSftp(conn: Connection): Promise<void> {
  const config = GetConnectionConfiguration(GetSettingsPrivateKey('h', 22, 'u', '/k'));
  const listed: ListResult = await ListObjects(conn, '', true);
  if (listed.result) {
    const first: FileInfo | undefined = listed.data[0];
    const children: FileInfo[] | string | undefined = first?.objects;
    console.log(first?.permissions, first?.is_symlink, children);
  } else {
    const failure: OpiSftpFailure = listed;
    console.log(failure.error, failure.code, failure.sftp_status, listed.close_connection?.result);
  }
  // @ts-expect-error a result must be narrowed before data can be read
  console.log(listed.data);
  await sftp.CreateNewDirectory(config, 'd', '0755');
  await sftp.CreateNewDirectory(conn, 'd', 700);
  const uploaded = await UploadFile(conn, Buffer.from('x'), 'r');
  if (uploaded.result) console.log(uploaded.bytes);
  const saved = await SaveFile(config, 'r', '/tmp/l');
  if (saved.result) console.log(saved.bytes, saved.filepath, saved.close_connection);
  const data = await GetFileData(conn, 'r');
  if (Buffer.isBuffer(data)) console.log(data.length);
  else console.log(data.error);
  const info = await GetFileInformation(conn, 'r');
  if (info.result) console.log(info.data.modified, info.data.is_directory);
  await UpdatePath(conn, 'a', 'b', true);
  const cwd = await sftp.GetCurrentDirectory(conn);
  if (cwd.result) console.log(cwd.path);
  // @ts-expect-error UploadFile takes a path or bytes, not a number
  await UploadFile(conn, 42, 'r');
}

void opi;
void opiSftp;
void logins;
void fromSshConfig;
void idiomatic;
