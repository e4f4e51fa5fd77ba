// ExecuteCommand and Connection.exec against a real OpenSSH sshd: result shapes, stdin EOF,
// large and binary output, parallel channels, and the event loop staying free.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetSettingsPrivateKey,
} from '../dist/index.js';
import { startSshd } from './fixtures/sshd.mjs';

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
