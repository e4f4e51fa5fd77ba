// Running commands against a real OpenSSH sshd: ExecuteCommand and Connection.exec results, then
// command control (timeouts, cancellation, stdin, pty, env, caps, streaming, queueing, keepalive).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetSettingsPrivateKey,
  SshError,
} from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';

// ExecuteCommand and Connection.exec against a real OpenSSH sshd: result shapes, stdin EOF,
// large and binary output, parallel channels, and the event loop staying free.
describe('ExecuteCommand and Connection.exec', () => {
  let sshd;
  let conn;
  let settings;
  before(async () => {
    sshd = await startSshd();
    settings = GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519);
    conn = await CreateConnection(settings);
    assert.equal(conn.result, undefined, JSON.stringify(conn));
  });
  after(async () => {
    await conn?.close();
    await sshd?.stop();
  });

  describe('ExecuteCommand results', () => {
    it('whoami resolves to exactly OPI\'s shape', async () => {
      assert.deepEqual(await ExecuteCommand(conn, 'whoami'), { result: true, exit_code: '0', stdout: sshd.user, stderr: '' });
    });
    it('a failing command reports its exit code and stderr', async () => {
      assert.deepEqual(await ExecuteCommand(conn, 'echo e >&2; exit 3'), { result: true, exit_code: '3', stdout: '', stderr: 'e\n' });
    });
    it('removes exactly one trailing LF from stdout only', async () => {
      const r = await ExecuteCommand(conn, "printf 'a\\n\\n'; printf 'b\\n' >&2");
      assert.equal(r.stdout, 'a\n');
      assert.equal(r.stderr, 'b\n');
      const crlf = await ExecuteCommand(conn, "printf 'a\\r\\n'");
      assert.equal(crlf.stdout, 'a\r');
    });
    it('a configuration opens, runs, closes and adds close_connection', async () => {
      assert.deepEqual(await ExecuteCommand(GetConnectionConfiguration(settings), 'whoami'), {
        result: true, exit_code: '0', stdout: sshd.user, stderr: '', close_connection: { result: true },
      });
    });
    it('cat returns at once: stdin gets EOF right after exec', async () => {
      const started = Date.now();
      assert.deepEqual(await ExecuteCommand(conn, 'cat'), { result: true, exit_code: '0', stdout: '', stderr: '' });
      assert.ok(Date.now() - started < 3000);
    });
    it('a command killed by a signal reports exit_signal, not 0', async () => {
      const r = await ExecuteCommand(conn, 'kill -TERM $$');
      assert.equal(r.exit_signal, 'TERM');
      assert.equal(r.exit_code, '143');
    });
    it('invalid UTF-8 keeps the valid text around it', async () => {
      const r = await ExecuteCommand(conn, "printf 'before\\377\\376after'");
      assert.equal(r.stdout, 'before\uFFFD\uFFFDafter');
    });
    it('interleaved stdout and stderr larger than the channel window both arrive complete', async () => {
      const r = await ExecuteCommand(conn, 'head -c 3000000 /dev/zero | tr "\\0" e >&2; head -c 3000000 /dev/zero | tr "\\0" o');
      assert.equal(r.stderr.length, 3000000);
      assert.equal(r.stdout.length, 3000000);
    });
    it('100 MB of stdout arrives complete', async () => {
      const r = await ExecuteCommand(conn, 'head -c 100000000 /dev/zero | tr "\\0" x; echo');
      assert.equal(r.result, true);
      assert.equal(r.stdout.length, 100000000);
      assert.equal(r.stdout.replaceAll('x', ''), '');
    });
  });

  describe('Connection.exec', () => {
    it('encoding "buffer" returns the bytes exactly', async () => {
      const idiomatic = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });
      try {
        const r = await idiomatic.exec('head -c 1048576 /dev/urandom | tee /tmp/nssh-exec-random.bin', { encoding: 'buffer' });
        const remote = await idiomatic.exec('sha256sum /tmp/nssh-exec-random.bin; rm -f /tmp/nssh-exec-random.bin');
        assert.equal(r.stdout.length, 1048576);
        assert.equal(crypto.createHash('sha256').update(r.stdout).digest('hex'), remote.stdout.split(' ')[0]);
      } finally {
        await idiomatic.close();
      }
    });
    it('stdin is sent before EOF', async () => {
      const r = await conn.exec('wc -c', { stdin: 'hello world' });
      assert.equal(r.stdout.trim(), '11');
    });
  });

  describe('parallel commands on one connection', () => {
    it('40 ExecuteCommand calls in parallel each return their own output', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => ExecuteCommand(conn, `echo job-${i}; echo err-${i} >&2; exit ${i % 7}`)));
      results.forEach((r, i) => {
        assert.deepEqual(r, { result: true, exit_code: String(i % 7), stdout: `job-${i}`, stderr: `err-${i}\n` });
      });
    });
  });

  describe('the event loop stays free', () => {
    it('while 100 MB of output streams in, event-loop delay p99 stays low', async () => {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      const r = await conn.exec('head -c 100000000 /dev/zero', { encoding: 'buffer' });
      histogram.disable();
      assert.equal(r.stdout.length, 100000000);
      const p99 = histogram.percentile(99) / 1e6;
      const max = histogram.max / 1e6;
      console.log(`# event-loop delay while 100 MB streamed: p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms, samples ${histogram.count}`);
      // The figure is for the record; the bound here is deliberately loose (never a timing test).
      assert.ok(p99 < 100, `p99 ${p99} ms`);
    });
  });

  describe('process lifetime', () => {
    it('a script that never closes its connection still exits after its last awaited call', async () => {
      const entry = path.resolve('dist/index.js');
      const script = `
      const ns = require(${JSON.stringify(entry)});
      (async () => {
        const c = await ns.CreateConnection(ns.GetSettingsPrivateKey('127.0.0.1', ${sshd.port}, ${JSON.stringify(sshd.user)}, ${JSON.stringify(sshd.keys.ed25519)}));
        const r = await ns.ExecuteCommand(c, 'whoami');
        process.stdout.write(r.stdout);
      })();`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      // The clock that matters starts when the last awaited call has returned (its output has
      // arrived): a process kept alive by the open connection would never exit. Starting Node and
      // the command get a bound of their own, wide enough for an emulated Node (qemu-user runs it
      // 5-20 times slower: docs/platforms.md).
      const code = await new Promise((resolve, reject) => {
        const fail = (why) => { child.kill('SIGKILL'); reject(new Error(why)); };
        let timer = setTimeout(() => fail(`the command's output did not arrive within 120 s (got ${JSON.stringify(out)})`), 120_000);
        child.stdout.on('data', () => {
          if (out !== sshd.user) return;
          clearTimeout(timer);
          timer = setTimeout(() => fail('the script did not exit within 10 s of its last awaited call'), 10_000);
        });
        child.once('exit', (c) => { clearTimeout(timer); resolve(c); });
      });
      assert.equal(code, 0);
      assert.equal(out, sshd.user);
    });
    it('CloseConnection closes; a command afterwards gives NOT_CONNECTED', async () => {
      const c = await CreateConnection(settings);
      assert.deepEqual(await CloseConnection(c), { result: true });
      const r = await ExecuteCommand(c, 'true');
      assert.equal(r.code, 'NOT_CONNECTED');
    });
  });
});

// Command control against a real sshd: timeouts, AbortSignal, stdin, binary output, pty, env,
// output caps, streaming with backpressure, channel queueing under MaxSessions, keepalive.
describe('command control (sshd with MaxSessions 3)', () => {
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
      results.forEach((r, i) => {
        assert.deepEqual(r, { stdout: `${i}\n`, stderr: '', exitCode: 0, signal: null });
      });
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
});
