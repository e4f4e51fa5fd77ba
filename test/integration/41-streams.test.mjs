// Connection.stream() lifecycles and streamed stdin against a real OpenSSH sshd: break cancels
// the remote command, done alone drains, lines(), the stdout/stderr Readables with backpressure,
// stdin from a Readable / async iterable with a bound on what is read ahead, stdin: 'pipe'
// answering a prompt, failing stdin sources, and the stdin settings errors.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';

import { connect, SshError } from '../../dist/index.js';
import { MAX_LINE_CHARS } from '../../dist/exec-stream.js';
import { startSshd } from '../fixtures/sshd.mjs';

let sshd;
let conn;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const marker = (name) => `nssh-${name}-${crypto.randomBytes(4).toString('hex')}`;
// Processes of the test user whose command line holds `mark` (other suites run their own `yes`).
const running = async (mark) => (await conn.exec(`pgrep -u ${sshd.user} -f "${mark.slice(0, -1)}[${mark.slice(-1)}]" || true`)).stdout.trim();
/** Polls until no process carries `mark`; fails after `ms`. */
async function assertGoneWithin(mark, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await running(mark);
    if (found === '') return;
    assert.ok(Date.now() < deadline, `a process with ${mark} still runs after ${ms} ms: ${found}`);
    await sleep(50);
  }
}

before(async () => {
  sshd = await startSshd();
  conn = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 });
});
after(async () => {
  await conn?.close();
  await sshd?.stop();
});

describe('cancelling a stream', { timeout: 60_000 }, () => {
  it('break inside for await over `yes` ends the remote yes (pgrep finds none within 2 s) and done says cancelled', async () => {
    const mark = marker('break');
    const s = conn.stream(`exec yes ${mark}`);
    let chunks = 0;
    for await (const chunk of s) {
      assert.equal(chunk.stream, 'stdout');
      if (++chunks === 3) break;
    }
    const exit = await s.done;
    assert.equal(exit.cancelled, true);
    assert.ok(exit.exitCode === null || Number.isInteger(exit.exitCode));
    assert.ok(exit.signal === null || exit.signal === 'TERM', `signal ${exit.signal}`);
    await assertGoneWithin(mark, 2000);
    assert.equal((await conn.exec('echo still here')).stdout, 'still here\n');
  });
  it('throw() on the iterator cancels too, and rethrows', async () => {
    const mark = marker('throw');
    const s = conn.stream(`exec yes ${mark}`);
    const iterator = s[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    await assert.rejects(iterator.throw(new Error('consumer gave up')), /consumer gave up/);
    assert.equal((await s.done).cancelled, true);
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    await assertGoneWithin(mark, 2000);
  });
  it('leaving lines() early cancels; cancel() ends a command nobody reads', async () => {
    const mark = marker('lines');
    const s = conn.stream(`while :; do echo ${mark}; done`);
    for await (const { line } of s.lines()) {
      assert.equal(line, mark);
      break;
    }
    assert.equal((await s.done).cancelled, true);
    await assertGoneWithin(mark, 2000);
    const mark2 = marker('cancel');
    const quiet = conn.stream(`exec sleep 30 ${mark2}`);
    const exit = await quiet.cancel();
    assert.equal(exit.cancelled, true);
    await assertGoneWithin(mark2, 2000);
  });
  it('a break after the command ended reports its real exit, not a cancellation', async () => {
    const s = conn.stream('echo a; echo b; exit 5');
    await sleep(300);
    for await (const chunk of s) {
      assert.equal(chunk.stream, 'stdout');
      break;
    }
    const exit = await s.done;
    assert.equal(exit.cancelled, undefined);
    assert.equal(exit.exitCode, 5);
  });
});

describe('done without reading', { timeout: 60_000 }, () => {
  it('runs the command to its end, discarding output far past the flow-control mark', async () => {
    const s = conn.stream('head -c 8000000 /dev/zero; head -c 3000000 /dev/zero >&2; exit 7');
    assert.deepEqual(await s.done, { exitCode: 7, signal: null });
    assert.throws(() => s[Symbol.asyncIterator](), /discarded/);
    assert.throws(() => s.stdout, /discarded/);
  });
  it('done.catch() alone (silencing a rejection) does not discard: the output can still be read', async () => {
    const s = conn.stream('head -c 3000000 /dev/zero | tr "\\0" z; echo');
    s.done.catch(() => undefined);
    await sleep(100);
    let bytes = 0;
    for await (const chunk of s) bytes += chunk.data.length;
    assert.equal(bytes, 3000001);
  });
  it('a second way of reading the same stream is refused', async () => {
    const s = conn.stream('echo x');
    for await (const chunk of s) assert.equal(chunk.data.toString(), 'x\n');
    assert.throws(() => s.stdout, /already read through for await/);
    assert.throws(() => s.lines(), /already read through/);
  });
});

describe('lines()', { timeout: 60_000 }, () => {
  it('splits each stream on its own: partial lines, \\r\\n, a UTF-8 character cut between chunks, a last line without newline', async () => {
    const s = conn.stream("printf 'o1\\no2-'; printf 'e1\\r\\ne2-' >&2; sleep 0.2; printf 'end\\n\\303'; printf 'end\\n' >&2; sleep 0.2; printf '\\251\\nlast'");
    const seen = { stdout: [], stderr: [] };
    for await (const { stream, line } of s.lines()) seen[stream].push(line);
    assert.deepEqual(seen, { stdout: ['o1', 'o2-end', '\u00e9', 'last'], stderr: ['e1', 'e2-end'] });
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
  });
  it('lines("stderr") keeps stderr only (stdout is consumed and dropped)', async () => {
    const s = conn.stream('head -c 3000000 /dev/zero; echo one >&2; echo two >&2');
    const lines = [];
    for await (const line of s.lines('stderr')) lines.push(line);
    assert.deepEqual(lines, [{ stream: 'stderr', line: 'one' }, { stream: 'stderr', line: 'two' }]);
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
    assert.throws(() => conn.stream('true').lines('both'), /stdout" or "stderr/);
  });
  it('a line longer than MAX_LINE_CHARS comes in pieces of that size (memory stays bounded)', async () => {
    const length = 3 * MAX_LINE_CHARS + MAX_LINE_CHARS / 2;
    const s = conn.stream(`head -c ${length} /dev/zero | tr '\\0' x; echo end`);
    const pieces = [];
    for await (const piece of s.lines()) pieces.push(piece);
    assert.equal(pieces.length, 4);
    for (const piece of pieces.slice(0, 3)) {
      assert.equal(piece.partial, true);
      assert.equal(piece.line.length, MAX_LINE_CHARS);
    }
    assert.equal(pieces[3].partial, undefined);
    assert.equal(pieces.map((p) => p.line).join(''), `${'x'.repeat(length)}end`);
  });
});

describe('stdout / stderr Readables', { timeout: 60_000 }, () => {
  it('a slow consumer gets every byte while the Readable buffers a bounded amount (backpressure)', async () => {
    const total = 8_000_000;
    const s = conn.stream(`head -c ${total} /dev/zero | tr '\\0' a; echo done >&2`);
    let received = 0;
    let peakBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16384,
      write(chunk, _encoding, callback) {
        received += chunk.length;
        peakBuffered = Math.max(peakBuffered, s.stdout.readableLength);
        setTimeout(callback, 2);
      },
    });
    let stderr = '';
    s.stderr.on('data', (chunk) => { stderr += chunk; });
    await pipeline(s.stdout, slow);
    assert.equal(received, total);
    assert.equal(stderr, 'done\n');
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
    console.log(`# peak bytes buffered in the stdout Readable: ${peakBuffered}`);
    // Without backpressure the whole output would pile up in front of the slow consumer.
    assert.ok(peakBuffered < 3 * 1048576, `the Readable buffered ${peakBuffered} bytes`);
  });
  it('with only stdout read, awaiting done discards stderr instead of stalling on it', async () => {
    const s = conn.stream("head -c 3000000 /dev/zero >&2; printf 'out\\n'");
    const chunks = [];
    const [, exit] = await Promise.all([pipeline(s.stdout, new Writable({ write(c, _e, cb) { chunks.push(c); cb(); } })), s.done]);
    assert.equal(Buffer.concat(chunks).toString(), 'out\n');
    assert.deepEqual(exit, { exitCode: 0, signal: null });
  });
  it('destroying stdout before the end cancels the command', async () => {
    const mark = marker('destroy');
    const s = conn.stream(`exec yes ${mark}`);
    await new Promise((resolve) => s.stdout.once('data', resolve));
    s.stdout.destroy();
    assert.equal((await s.done).cancelled, true);
    await assertGoneWithin(mark, 2000);
  });
});

describe('streamed stdin', { timeout: 60_000 }, () => {
  it('a Readable of 8 MiB reaches sha256sum exactly, and is read only as fast as the channel takes it', async () => {
    const data = crypto.randomBytes(8 * 1048576);
    let yielded = 0;
    const source = Readable.from((function* () {
      for (let offset = 0; offset < data.length; offset += 65536) {
        yielded += 65536;
        yield data.subarray(offset, offset + 65536);
      }
    })());
    const gate = `/tmp/${marker('gate')}`;
    const pending = conn.exec(`while [ ! -e ${gate} ]; do sleep 0.05; done; rm -f ${gate}; sha256sum`, { stdin: source });
    // The command does not read yet: the source must stop once the channel's window (OpenSSH:
    // 2 MiB), the pipe and our in-flight bound are full.
    let last = -1;
    for (let i = 0; i < 200 && yielded !== last; i++) {
      last = yielded;
      await sleep(300);
    }
    assert.ok(yielded < 4 * 1048576, `the source was read ${yielded} bytes ahead of a command that reads nothing`);
    await conn.exec(`touch ${gate}`);
    const r = await pending;
    assert.equal(r.stdout.split(' ')[0], crypto.createHash('sha256').update(data).digest('hex'));
    assert.equal(yielded, data.length);
  });
  it('an async generator of strings and Buffers streams to conn.stream() as well', async () => {
    async function* parts() {
      yield 'hello ';
      yield Buffer.from('world');
      yield new Uint8Array([10]);
    }
    const s = conn.stream('cat', { stdin: parts() });
    let text = '';
    for await (const chunk of s) text += chunk.data.toString();
    assert.equal(text, 'hello world\n');
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
  });
  it('a command that exits without reading its stdin ends: the source stops, a whole Buffer is dropped', async () => {
    let stopped = false;
    async function* endless() {
      try {
        for (;;) yield Buffer.alloc(65536, 120);
      } finally {
        stopped = true;
      }
    }
    const r = await conn.exec('head -c 10 | wc -c', { stdin: endless() });
    assert.equal(r.stdout.trim(), '10');
    for (let i = 0; i < 100 && !stopped; i++) await sleep(20);
    assert.equal(stopped, true, 'the source must be closed once the command has ended');
    const whole = await conn.exec('head -c 10 >/dev/null; echo read', { stdin: Buffer.alloc(50 * 1048576) });
    assert.equal(whole.stdout, 'read\n');
  });
  it("stdin: 'pipe' answers a prompt after it appears", async () => {
    const s = conn.stream("printf 'name? '; read x; echo got:$x", { stdin: 'pipe' });
    let text = '';
    for await (const chunk of s) {
      text += chunk.data.toString();
      if (text === 'name? ') s.stdin.end('alice\n');
    }
    assert.equal(text, 'name? got:alice\n');
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
  });
  it("stdin: 'pipe' write() obeys backpressure; end() sends EOF; 3 MiB arrive exactly", async () => {
    const data = crypto.randomBytes(3 * 1048576);
    const s = conn.stream('sha256sum', { stdin: 'pipe' });
    let refused = 0;
    for (let offset = 0; offset < data.length; offset += 65536) {
      if (!s.stdin.write(data.subarray(offset, offset + 65536))) {
        refused += 1;
        await new Promise((resolve) => s.stdin.once('drain', resolve));
      }
    }
    s.stdin.end();
    let out = '';
    for await (const chunk of s) out += chunk.data.toString();
    assert.equal(out.split(' ')[0], crypto.createHash('sha256').update(data).digest('hex'));
    assert.ok(refused > 0, 'write() never asked the writer to wait');
    assert.equal(s.stdin.writableFinished, true);
  });
  it("stdin: 'pipe' to a command that stopped reading: later writes are dropped and end() still finishes", async () => {
    const s = conn.stream('head -c 3 >/dev/null; echo read', { stdin: 'pipe' });
    s.stdin.write('abc');
    let out = '';
    for await (const chunk of s) out += chunk.data.toString();
    assert.equal(out, 'read\n');
    assert.deepEqual(await s.done, { exitCode: 0, signal: null });
    s.stdin.write(Buffer.alloc(4 * 1048576));
    await new Promise((resolve, reject) => {
      s.stdin.once('error', reject);
      s.stdin.end(resolve);
    });
    assert.equal(s.stdin.writableFinished, true);
  });
  it('a source that errors ends the command and rejects with STDIN_FAILED, the source error as cause', async () => {
    const mark = marker('srcfail');
    let sent = 0;
    const failing = new Readable({
      read() {
        if (sent++ < 3) this.push(Buffer.alloc(1000, 97));
        else this.destroy(new Error('disk on fire'));
      },
    });
    await assert.rejects(conn.exec(`cat >/dev/null; sleep 30 # ${mark}`, { stdin: failing }), (error) => {
      assert.ok(error instanceof SshError);
      assert.equal(error.code, 'STDIN_FAILED');
      assert.match(error.message, /^Stdin error: the stdin source failed: disk on fire$/);
      assert.equal(error.cause?.message, 'disk on fire');
      return true;
    });
    await assertGoneWithin(mark, 2000);
    async function* badItems() {
      yield 'fine';
      yield 42;
    }
    const s = conn.stream('cat', { stdin: badItems() });
    await assert.rejects(s.done, (error) => error.code === 'STDIN_FAILED' && /stdin yielded 42; expected Buffers or strings/.test(error.message));
  });
});

describe('stdin settings', { timeout: 60_000 }, () => {
  for (const [name, value] of [['a number', 42], ['a plain object', {}], ['an array of Buffers', [Buffer.from('x')]], ['null', null]]) {
    it(`${name} is a Settings error naming stdin and the forms`, async () => {
      const check = (error) => error instanceof SshError && error.code === 'INVALID_SETTINGS' &&
        /^Settings error: stdin must be a string, a Buffer, a Readable or an async iterable of Buffers or strings/.test(error.message);
      await assert.rejects(conn.exec('cat', { stdin: value }), check);
      assert.throws(() => conn.stream('cat', { stdin: value }), (error) => check(error) && /or 'pipe'/.test(error.message));
    });
  }
  it("'pipe' with exec() is a Settings error pointing to stream()", async () => {
    await assert.rejects(conn.exec('cat', { stdin: 'pipe' }), /Settings error: stdin 'pipe' is for conn\.stream\(\)/);
  });
});
