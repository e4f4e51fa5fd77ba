#!/usr/bin/env node
// `npm run demo`: starts OpenSSH sshd and a SOCKS5 proxy (dante) on 127.0.0.1, then uses
// native-ssh against them the way an integration script would, printing real results.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  versions,
} from '../dist/index.js';
import { startDante } from '../test/fixtures/proxies.mjs';
import { startSshd } from '../test/fixtures/sshd.mjs';

const show = (label, value) => console.log(`${label.padEnd(34)} ${JSON.stringify(value)}`);

const sshd = await startSshd();
const socks = await startDante({ auth: 'none' });
try {
  console.log(`native-ssh ${JSON.stringify(versions())}`);
  console.log(`sshd on 127.0.0.1:${sshd.port}, dante (SOCKS5) on 127.0.0.1:${socks.port}\n`);

  const keySettings = GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, sshd.keys.ed25519);
  show('GetSettingsPrivateKey', keySettings);

  // One call: open, run, close.
  show('ExecuteCommand(configuration)', await ExecuteCommand(GetConnectionConfiguration(keySettings), 'whoami'));

  // A persistent connection, several commands, one of them in parallel with others.
  const conn = await CreateConnection(keySettings);
  show("CreateConnection (host key)", conn.hostKey);
  show('ExecuteCommand(uname -sr)', await ExecuteCommand(conn, 'uname -sr'));
  show('ExecuteCommand(exit 3)', await ExecuteCommand(conn, 'echo oops >&2; exit 3'));
  const parallel = await Promise.all([1, 2, 3, 4, 5].map((n) => ExecuteCommand(conn, `sleep 0.2; echo job ${n}`)));
  show('5 commands in parallel', parallel.map((r) => r.stdout));
  show('CloseConnection', await CloseConnection(conn));

  if (sshd.password !== null) {
    const wrong = await ExecuteCommand(GetConnectionConfiguration(GetSettingsLoginPassword('127.0.0.1', sshd.port, sshd.user, 'wrong')), 'true');
    show('wrong password', wrong);
  }

  // Through the SOCKS5 proxy; the handshake runs in native code.
  const proxy = GetProxySettings(socks.host, socks.port, 'socks5');
  show('ExecuteCommand via SOCKS5', await ExecuteCommand(GetConnectionConfiguration(keySettings, proxy), 'echo "through $SSH_CONNECTION"'));

  // The idiomatic client: 50 MB of output while the event loop stays free.
  const client = await connect({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKey: fs.readFileSync(sshd.keys.ed25519) });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = process.hrtime.bigint();
  const big = await client.exec('head -c 50000000 /dev/zero', { encoding: 'buffer' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  histogram.disable();
  await client.close();
  console.log(`connect().exec 50 MB               ${big.stdout.length} bytes in ${ms.toFixed(0)} ms, event-loop delay p99 ${(histogram.percentile(99) / 1e6).toFixed(2)} ms`);
} finally {
  await socks.stop();
  await sshd.stop();
}
