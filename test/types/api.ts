// Type tests: compiled (never run) against the published declarations in dist/. Each
// `@ts-expect-error` must be an error, or tsc fails ("unused directive").
import {
  connect,
  Connection,
  CreateConnection,
  ExecuteCommand,
  ExecuteResult,
  GetConnectionConfiguration,
  GetLog,
  GetLoggingSettings,
  GetProxySettings,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  IsConnector,
  SshError,
  SshErrorCode,
  versions,
} from '../../dist/index';

async function opi(): Promise<void> {
  const set = GetSettingsPrivateKey('h', 22, 'u', '/k');
  const proxy = GetProxySettings('p', 1080, 'socks5', 'l', 'pw');
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
    const log = GetLog(c);
    if (typeof log !== 'string' && log.result) console.log(log.logs.length);
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
  for await (const chunk of conn.stream('yes', { signal: AbortSignal.timeout(10) })) {
    const which: 'stdout' | 'stderr' = chunk.stream;
    console.log(which, chunk.data.length);
  }
  try {
    await conn.close();
  } catch (error) {
    if (error instanceof SshError) console.log(error.code, error.level, error.errno);
  }
  console.log(s, b, exit, versions().libssh2);
}

void opi;
void idiomatic;
