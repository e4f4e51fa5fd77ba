// Stress (npm run test:stress, not part of npm test): 1000 sequential one-shot executions
// (connect, run, close) against a real sshd, the OPI way and the idiomatic way. Every one must
// succeed, and the process's file descriptors, threads and resident memory must come back to the
// level they had after a warm-up. Prints the figures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, it } from 'node:test';

import { exec, ExecuteCommand, GetConnectionConfiguration, GetSettingsPrivateKey } from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';

const TOTAL = Number(process.env.NSSH_STRESS_SEQUENTIAL ?? 1000);
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
  // Let closes finish, handles close and finalizers run.
  for (let i = 0; i < 5; i++) {
    await sleep(100);
    gc();
  }
  return usage();
}
const show = (u) => `fds ${u.fds}, threads ${u.threads}, RSS ${u.rssMB.toFixed(1)} MB`;

let sshd;
before(async () => { sshd = await startSshd(); });
after(async () => { await sshd?.stop(); });

it(`${TOTAL} sequential one-shot executions all succeed; fds, threads and RSS come back`, { timeout: 30 * 60_000 }, async (t) => {
  const config = GetConnectionConfiguration(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519));
  const options = { host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 };
  const one = async (i) => {
    if (i % 2 === 0) {
      const r = await ExecuteCommand(config, `echo ${i}`);
      assert.deepEqual(r, { result: true, exit_code: '0', stdout: String(i), stderr: '', close_connection: { result: true } }, `run ${i}`);
    } else {
      const r = await exec(options, `echo ${i}`);
      assert.equal(r.stdout, `${i}\n`, `run ${i}`);
    }
  };
  // Warm-up: the engine thread, the libuv threadpool (key file reads) and V8's code are started.
  for (let i = 0; i < 20; i++) await one(i);
  const start = await settled();
  const started = Date.now();
  let middle;
  for (let i = 0; i < TOTAL; i++) {
    await one(i);
    if (i === TOTAL / 2 - 1) middle = await settled();
  }
  const seconds = (Date.now() - started) / 1000;
  const end = await settled();
  const report = [
    `${TOTAL} one-shot executions in ${seconds.toFixed(1)} s (${(seconds * 1000 / TOTAL).toFixed(1)} ms each)`,
    `start:  ${show(start)}`,
    `middle: ${show(middle)}`,
    `end:    ${show(end)}`,
  ];
  for (const line of report) t.diagnostic(line);
  console.log(report.map((l) => `# ${l}`).join('\n'));
  assert.equal(end.fds, start.fds, 'file descriptors leaked');
  assert.equal(end.threads, start.threads, 'threads leaked');
  // RSS: the allocator keeps some pages; what matters is that the second half does not grow it.
  assert.ok(end.rssMB - middle.rssMB < 16, `RSS grew by ${(end.rssMB - middle.rssMB).toFixed(1)} MB over the second half`);
  assert.ok(end.rssMB - start.rssMB < 48, `RSS grew by ${(end.rssMB - start.rssMB).toFixed(1)} MB`);
});
