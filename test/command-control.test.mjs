// Command control against a real sshd: timeouts, AbortSignal, stdin, binary output, pty, env,
// output caps, streaming with backpressure, channel queueing under MaxSessions, keepalive.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { connect, CreateConnection, ExecuteCommand, GetSettingsPrivateKey, SshError } from '../dist/index.js';
import { startSshd } from './fixtures/sshd.mjs';

let sshd;
let conn;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pgrep = async (c, marker) => (await c.exec(`pgrep -f "${marker.slice(0, -1)}[${marker.slice(-1)}]" || true`)).stdout.trim();

before(async () => {
  sshd = await startSshd({ config: ['MaxSessions 3', 'AcceptEnv NSSH_*'] });
  conn = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });
});
after(async () => {
  await conn?.close();
  await sshd?.stop();
});

describe('timeouts and cancellation', () => {
  it('command_timeout: sleep 30 settles with TIMEOUT in about a second; the connection stays usable; the remote sleep is gone', async () => {
    const c = await CreateConnection({ ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), command_timeout: 1 });
    try {
      const started = Date.now();
      const r = await ExecuteCommand(c, 'sleep 30 # nssh-timeout-marker');
      const elapsed = Date.now() - started;
      assert.equal(r.result, false);
      assert.equal(r.code, 'TIMEOUT');
      assert.match(r.error, /^Timeout error: /);
      assert.ok(elapsed >= 900 && elapsed < 3000, `took ${elapsed} ms`);
      assert.deepEqual(await ExecuteCommand(c, 'whoami'), { result: true, exit_code: '0', stdout: sshd.user, stderr: '' });
      await sleep(300);
      assert.equal(await pgrep(conn, 'nssh-timeout-marker'), '', 'the remote sleep must be gone');
    } finally {
      await c.close();
    }
  });
  it('AbortSignal aborted mid-command settles with ABORTED; the connection stays usable; the remote sleep is gone', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await assert.rejects(conn.exec('sleep 30 # nssh-abort-marker', { signal: controller.signal }),
      (error) => error instanceof SshError && error.code === 'ABORTED');
    assert.ok(Date.now() - started < 2000);
    assert.equal((await conn.exec('echo still here')).stdout, 'still here\n');
    await sleep(300);
    assert.equal(await pgrep(conn, 'nssh-abort-marker'), '');
  });
  it('an already aborted signal rejects at once', async () => {
    await assert.rejects(conn.exec('true', { signal: AbortSignal.abort() }), { code: 'ABORTED' });
  });
  it('exec timeout option gives TIMEOUT', async () => {
    await assert.rejects(conn.exec('sleep 5', { timeout: 200 }), { code: 'TIMEOUT', level: 'timeout' });
  });
});

describe('input and output', () => {
  it('stdin round-trips 10 MB through sha256sum exactly', async () => {
    const data = crypto.randomBytes(10 * 1024 * 1024);
    const r = await conn.exec('sha256sum', { stdin: data });
    assert.equal(r.stdout.split(' ')[0], crypto.createHash('sha256').update(data).digest('hex'));
  });
  it('encoding "buffer" returns 1 MiB of /dev/urandom byte-exact', async () => {
    const r = await conn.exec('head -c 1048576 /dev/urandom > /tmp/nssh-cc.bin; cat /tmp/nssh-cc.bin', { encoding: 'buffer' });
    const remote = await conn.exec('sha256sum < /tmp/nssh-cc.bin; rm -f /tmp/nssh-cc.bin');
    assert.equal(crypto.createHash('sha256').update(r.stdout).digest('hex'), remote.stdout.split(' ')[0]);
  });
  it('pty: true makes tty print a device', async () => {
    const r = await conn.exec('tty', { pty: true });
    assert.match(r.stdout, /^\/dev\/pts\/\d+\r?\n$/);
    assert.equal((await conn.exec('tty')).stdout, 'not a tty\n');
  });
  it('env reaches a server configured with AcceptEnv (and other names are dropped by sshd)', async () => {
    const r = await conn.exec('echo "$NSSH_GREETING/$OTHER_NAME"', { env: { NSSH_GREETING: 'hello', OTHER_NAME: 'dropped' } });
    assert.equal(r.stdout, 'hello/\n');
  });
  it('maxBuffer keeps the first bytes, drains the rest and says so', async () => {
    const r = await conn.exec('head -c 100000 /dev/zero | tr "\\0" a; echo err >&2', { maxBuffer: 10 });
    assert.equal(r.stdout, 'a'.repeat(10));
    assert.equal(r.stdoutTruncated, true);
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.stderrTruncated, undefined);
    assert.equal(r.exitCode, 0);
  });
});

describe('streaming', () => {
  it('streams stdout and stderr apart, then the exit status', async () => {
    const seen = { stdout: '', stderr: '' };
    const s = conn.stream('echo out; echo err >&2; exit 4');
    for await (const chunk of s) seen[chunk.stream] += chunk.data.toString();
    assert.deepEqual(seen, { stdout: 'out\n', stderr: 'err\n' });
    assert.deepEqual(await s.done, { exitCode: 4, signal: null });
  });
  // AddressSanitizer holds freed memory in quarantine, so RSS says nothing under it.
  const underAsan = process.env.NATIVE_SSH_SANITIZED === '1';
  it('yes | head -c 1G with a consumer that pauses keeps RSS growth under 64 MB', { skip: underAsan && 'RSS is meaningless under ASan' }, async () => {
    await conn.exec('true');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    let total = 0;
    let chunks = 0;
    const s = conn.stream('yes | head -c 1073741824');
    for await (const chunk of s) {
      total += chunk.data.length;
      chunks += 1;
      if (chunks === 10) await sleep(1000);        // a long pause early on
      else if (chunks % 2000 === 0) await sleep(50); // and short ones throughout
    }
    clearInterval(sampler);
    const growth = (peak - before) / 1048576;
    console.log(`# streamed ${total} bytes in ${chunks} chunks; peak RSS growth ${growth.toFixed(1)} MB`);
    assert.equal(total, 1073741824);
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
    assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MB`);
  });
});

describe('channel queueing', () => {
  it('against an sshd with MaxSessions 3, 30 parallel commands on one connection all succeed', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => conn.exec(`sleep 0.05; echo ${i}`)));
    results.forEach((r, i) => assert.deepEqual(r, { stdout: `${i}\n`, stderr: '', exitCode: 0, signal: null }));
  });
});

describe('keepalive', () => {
  it('with keepalive_interval 1, freezing the server side makes a pending command fail within a few intervals', async () => {
    // Processes of this test's sshd only (other test files run their own sshd in parallel).
    const children = (pid) => { try { return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n'); } catch { return []; } };
    const sessions = () => children(sshd.pid).flatMap((priv) => [priv, ...children(priv)]);
    const before = new Set(sessions());
    const c = await CreateConnection({ ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), keepalive_interval: 1 });
    const pending = ExecuteCommand(c, 'sleep 60');
    await sleep(500);
    // The session's sshd process: the one that appeared for this connection.
    const pids = sessions().filter((p) => !before.has(p));
    assert.ok(pids.length >= 1, 'found the session process');
    for (const pid of pids) process.kill(Number(pid), 'SIGSTOP');
    try {
      const started = Date.now();
      const r = await pending;
      const elapsed = Date.now() - started;
      assert.equal(r.result, false);
      assert.equal(r.code, 'CONNECTION_LOST');
      assert.ok(elapsed < 6000, `took ${elapsed} ms`);
    } finally {
      for (const pid of pids) process.kill(Number(pid), 'SIGCONT');
      await c.close();
    }
  });
});
