// The workload of scripts/valgrind-cycles.sh (and usable on its own): N cycles of connect / exec /
// close against the sshd described by NSSH_LIFECYCLE (JSON from serve-fixtures.mjs), rotating
// through: a direct key login, a login through SOCKS5, a failed password login, a command that
// runs into its timeout (then another command on the same connection), a one-shot OPI execution
// through SOCKS5 with a streamed command, and a connection left to the garbage collector.
// Prints a summary line; exits 1 when a cycle did not end the way it should.
//   node test/lifecycle/cycles.mjs [cycles=200]
import assert from 'node:assert/strict';

import {
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
} from '../../dist/index.js';

const target = JSON.parse(process.env.NSSH_LIFECYCLE);
const cycles = Number(process.argv[2] ?? 200);
const direct = { host: target.host, port: target.port, username: target.user, privateKeyPath: target.key, connectTimeout: 120_000 };
const viaSocks = { ...direct, proxy: { type: 'socks5', host: target.host, port: target.proxyPort } };
const counts = {};
const count = (what) => { counts[what] = (counts[what] ?? 0) + 1; };

const kinds = [
  async function directExec(i) {
    const conn = await connect(direct);
    assert.equal((await conn.exec(`echo ${i}`)).stdout, `${i}\n`);
    await conn.close();
  },
  async function socksExec(i) {
    const conn = await connect(viaSocks);
    const r = await conn.exec(`echo ${i} >&2; exit 2`);
    assert.deepEqual([r.stderr, r.exitCode], [`${i}\n`, 2]);
    await conn.close();
  },
  async function failedLogin() {
    // A wrong password where the fixture allows passwords (root); otherwise a key the server does not know.
    const settings = target.password !== null
      ? { ...GetSettingsLoginPassword(target.host, target.port, target.user, 'wrong-password'), connect_timeout: 120 }
      : { ...GetSettingsPrivateKey(target.host, target.port, 'nobody-here', target.key), connect_timeout: 120 };
    const r = await CreateConnection(settings);
    assert.equal(r.result, false);
    assert.equal(r.code, 'AUTH_FAILED', r.error);
  },
  async function commandTimeout(i) {
    const conn = await CreateConnection({ ...GetSettingsPrivateKey(target.host, target.port, target.user, target.key), connect_timeout: 120, command_timeout: 0.3 });
    const r = await ExecuteCommand(conn, 'sleep 5');
    assert.equal(r.code, 'TIMEOUT', JSON.stringify(r));
    const again = await ExecuteCommand(conn, `echo ${i}`);
    assert.equal(again.stdout, String(i));
    await conn.close();
  },
  async function oneShotAndStream(i) {
    const config = GetConnectionConfiguration(
      { ...GetSettingsPrivateKey(target.host, target.port, target.user, target.key), connect_timeout: 120 },
      GetProxySettings(target.host, target.proxyPort, 'socks5'),
    );
    const r = await ExecuteCommand(config, `echo ${i}`);
    assert.equal(r.stdout, String(i), JSON.stringify(r));
    const conn = await connect(direct);
    let bytes = 0;
    const s = conn.stream('head -c 300000 /dev/zero; echo done >&2');
    for await (const chunk of s) bytes += chunk.data.length;
    assert.equal(bytes, 300000 + 5);
    await conn.close();
  },
  async function leftToGc(i) {
    const conn = await connect(direct);
    assert.equal((await conn.exec(`echo ${i}`)).stdout, `${i}\n`);
    // not closed: the engine closes it once it is collected (or at exit)
  },
];

const started = Date.now();
let failures = 0;
for (let i = 0; i < cycles; i++) {
  const kind = kinds[i % kinds.length];
  try {
    await kind(i);
    count(kind.name);
  } catch (error) {
    failures += 1;
    console.error(`cycle ${i} (${kind.name}): ${error.stack ?? error}`);
  }
  if (globalThis.gc && i % 20 === 19) globalThis.gc();
}
console.log(`cycles: ${cycles} in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures} failed; ${JSON.stringify(counts)}`);
process.exitCode = failures === 0 ? 0 : 1;
