// Stress (npm run test:stress, not part of npm test): 200 connections at once, half of them
// through a SOCKS5 proxy (dante), each running commands, then all closed. Every one must
// succeed, and the process's file descriptors, threads and resident memory must come back to the
// level they had after a warm-up. Prints the figures. Run twice, so that a leak shows as growth.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, it } from 'node:test';

import { connect, CreateConnection, ExecuteCommand, GetProxySettings, GetSettingsPrivateKey, IsConnector } from '../../dist/index.js';
import { startDante } from '../fixtures/proxies.mjs';
import { startSshd } from '../fixtures/sshd.mjs';

const COUNT = Number(process.env.NSSH_STRESS_CONCURRENT ?? 200);
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function usage() {
  return {
    fds: fs.readdirSync('/proc/self/fd').length,
    threads: fs.readdirSync('/proc/self/task').length,
    rssMB: process.memoryUsage().rss / 1048576,
  };
}
async function settled() {
  for (let i = 0; i < 5; i++) {
    await sleep(100);
    gc();
  }
  return usage();
}
const show = (u) => `fds ${u.fds}, threads ${u.threads}, RSS ${u.rssMB.toFixed(1)} MB`;

let sshd;
let dante;
before(async () => { [sshd, dante] = await Promise.all([startSshd(), startDante({ auth: 'none' })]); });
after(async () => {
  await dante?.stop();
  await sshd?.stop();
});

async function round(t, label) {
  const direct = { host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, connectTimeout: 60_000 };
  const viaProxy = { ...direct, proxy: { type: 'socks5', host: dante.host, port: dante.port } };
  const opiSettings = { ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), connect_timeout: 60 };
  const opiProxy = GetProxySettings(dante.host, dante.port, 'socks5');
  let peakFds = 0;
  let peakThreads = 0;
  const sampler = setInterval(() => {
    const u = usage();
    peakFds = Math.max(peakFds, u.fds);
    peakThreads = Math.max(peakThreads, u.threads);
  }, 20);
  const started = Date.now();
  // A quarter each: idiomatic direct, idiomatic via SOCKS5, OPI direct, OPI via SOCKS5.
  const connections = await Promise.all(Array.from({ length: COUNT }, async (_, i) => {
    const proxied = i % 2 === 1;
    if (i % 4 < 2) return connect(proxied ? viaProxy : direct);
    const c = await CreateConnection(opiSettings, proxied ? opiProxy : undefined);
    assert.ok(IsConnector(c), `connection ${i}: ${JSON.stringify(c)}`);
    return c;
  }));
  const connectedAfter = Date.now() - started;
  const results = await Promise.all(connections.map(async (c, i) => {
    const a = await ExecuteCommand(c, `echo ${i}`);
    const b = await c.exec(`echo ${i} >&2; exit 3`);
    return [a, b];
  }));
  results.forEach(([a, b], i) => {
    assert.deepEqual(a, { result: true, exit_code: '0', stdout: String(i), stderr: '' }, `connection ${i}`);
    assert.deepEqual(b, { stdout: '', stderr: `${i}\n`, exitCode: 3, signal: null }, `connection ${i}`);
  });
  await Promise.all(connections.map((c) => c.close()));
  clearInterval(sampler);
  const line = `${label}: ${COUNT} connections (${COUNT / 2} through SOCKS5) up in ${connectedAfter} ms, all done in ${Date.now() - started} ms; peak fds ${peakFds}, peak threads ${peakThreads}`;
  t.diagnostic(line);
  console.log(`# ${line}`);
}

it(`${COUNT} concurrent connections, half through SOCKS5: all succeed; fds, threads and RSS come back`, { timeout: 10 * 60_000 }, async (t) => {
  // Warm-up: engine thread, threadpool, code.
  const warm = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });
  await warm.exec('true');
  await warm.close();
  const start = await settled();
  await round(t, 'round 1');
  const middle = await settled();
  await round(t, 'round 2');
  const end = await settled();
  const report = [`start:         ${show(start)}`, `after round 1: ${show(middle)}`, `after round 2: ${show(end)}`];
  for (const line of report) t.diagnostic(line);
  console.log(report.map((l) => `# ${l}`).join('\n'));
  assert.equal(middle.fds, start.fds, 'file descriptors leaked (round 1)');
  assert.equal(end.fds, start.fds, 'file descriptors leaked (round 2)');
  assert.equal(end.threads, start.threads, 'threads leaked');
  assert.ok(end.rssMB - middle.rssMB < 16, `RSS grew by ${(end.rssMB - middle.rssMB).toFixed(1)} MB in round 2`);
});
