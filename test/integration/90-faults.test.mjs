// Faults in the middle of real work, against a real sshd (and dante): the server killed while a
// command runs, sshd restarted between two commands, a proxy that closes in the middle of its
// handshake or of the SSH handshake behind it, a server that stops reading a big stdin, a TCP
// path that goes silent (keepalive), a connection reset. Each must end with a clear error code
// within a bound (never a hang, never a crash), and a connection that was not hit must go on
// working meanwhile (the engine thread is shared by every connection of the process).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetSettingsPrivateKey,
  SshError,
} from '../../dist/index.js';
import { startDaemon } from '../fixtures/proc.mjs';
import { startDante } from '../fixtures/proxies.mjs';
import { startRelay } from '../fixtures/relay.mjs';
import { startSshd } from '../fixtures/sshd.mjs';

// Bounds are stretched when the suites run against the sanitizer build (scripts/asan-tests.sh).
const SLOW = process.env.NATIVE_SSH_SANITIZED === '1' ? 3 : 1;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let sshd;
let dante;
let bystander; // a connection no fault is aimed at: it must keep working throughout
const relays = [];

before(async () => {
  [sshd, dante] = await Promise.all([startSshd(), startDante({ auth: 'none' })]);
  bystander = await connect(keyOptions());
});
after(async () => {
  await bystander?.close();
  await Promise.all(relays.map((relay) => relay.stop()));
  await dante?.stop();
  await sshd?.stop();
});

function keyOptions(overrides = {}, server = sshd) {
  return { host: server.host, port: server.port, username: server.user, privateKeyPath: server.keys.ed25519, ...overrides };
}
function opiSettings(extra = {}, port = sshd.port) {
  return { ...GetSettingsPrivateKey(sshd.host, port, sshd.user, sshd.keys.ed25519), ...extra };
}
async function relayTo(port, options = {}) {
  const relay = await startRelay({ port, ...options });
  relays.push(relay);
  return relay;
}

/** pid -> parent pid of every process (Linux /proc). */
function processParents() {
  const parents = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parents;
}
/** Every live descendant of `pid`. */
function descendants(pid) {
  const parents = processParents();
  const found = new Set();
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [];
    for (const [child, parent] of parents) {
      if (frontier.includes(parent) && !found.has(child)) {
        found.add(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  return found;
}
function cmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}
/** Waits (bounded) for a process under `root` whose command line contains `marker`. */
async function waitForProcess(root, marker, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const pid = [...descendants(root)].find((p) => cmdline(p).includes(marker));
    if (pid !== undefined) return pid;
    await sleep(20);
  }
  throw new Error(`no process with "${marker}" appeared under ${root}`);
}
function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Waits (bounded) until every process of `pids` that still exists is stopped (state T). */
async function waitStopped(pids) {
  const deadline = Date.now() + 5000 * SLOW;
  for (;;) {
    const running = pids.filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
        return !'Tt'.includes(stat.slice(stat.lastIndexOf(')') + 2)[0]);
      } catch {
        return false; // gone
      }
    });
    if (running.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes ${running.join(', ')} are not stopped after SIGSTOP`);
    await sleep(20);
  }
}

/** The server processes of connections opened since `before` (a descendants() snapshot). */
function newSessionProcesses(before) {
  const roots = [...descendants(sshd.pid)].filter((pid) => !before.has(pid) && processParents().get(pid) === sshd.pid);
  return roots.flatMap((root) => [root, ...descendants(root)]);
}

/** Awaits `promise` for at most `ms` (times SLOW): its outcome and how long it took. */
async function within(ms, promise, what) {
  const started = Date.now();
  let timer;
  const bound = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms * SLOW} ms (a hang)`)), ms * SLOW);
  });
  try {
    const outcome = await Promise.race([
      promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error })),
      bound,
    ]);
    return { ...outcome, elapsed: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a command on the bystander that spans the fault; check it with assertBystander(). */
function bystanderSpan() {
  const span = bystander.exec('sleep 0.3; echo alive');
  span.catch(() => undefined); // checked by assertBystander(); never an unhandled rejection
  return span;
}
async function assertBystander(span) {
  const outcome = await within(10_000, span, 'the bystander command');
  assert.ok(outcome.ok, `the bystander failed: ${outcome.error?.code} ${outcome.error?.message}`);
  assert.equal(outcome.value.stdout, 'alive\n');
  assert.equal((await bystander.exec('echo still')).stdout, 'still\n');
}

function assertFails(outcome, code, what) {
  assert.equal(outcome.ok, false, `${what}: expected ${code}, got success ${JSON.stringify(outcome.value)}`);
  assert.ok(outcome.error instanceof SshError, `${what}: not an SshError: ${outcome.error}`);
  assert.equal(outcome.error.code, code, `${what}: ${outcome.error.code}: ${outcome.error.message}`);
}

describe('the server goes away', () => {
  it('the session\'s server processes killed mid-command: CONNECTION_LOST at once, then NOT_CONNECTED; close is prompt', async () => {
    const before = descendants(sshd.pid);
    const conn = await connect(keyOptions());
    const span = bystanderSpan();
    try {
      const pending = conn.exec('sleep 30; echo nssh-fault-kill');
      await waitForProcess(sshd.pid, 'nssh-fault-kill');
      const mine = newSessionProcesses(before);
      assert.ok(mine.length >= 2, `the connection's server processes: ${mine}`);
      signalAll(mine, 'SIGKILL');
      const outcome = await within(3000, pending, 'the killed command');
      assertFails(outcome, 'CONNECTION_LOST', 'command on a killed server');
      assert.match(outcome.error.message, /^Connection error: /);
      assert.ok(outcome.elapsed < 1500 * SLOW, `noticed after ${outcome.elapsed} ms`);
      assertFails(await within(2000, conn.exec('true'), 'exec after the loss'), 'NOT_CONNECTED', 'exec after the loss');
      await assertBystander(span);
    } finally {
      const closing = await within(2000, conn.close(), 'close after the loss');
      assert.ok(closing.ok);
    }
  });

  it('OPI: the same fault gives {result: false, code: "CONNECTION_LOST"}, and CloseConnection still answers {result: true}', async () => {
    const before = descendants(sshd.pid);
    const conn = await CreateConnection(opiSettings());
    assert.ok(!('result' in conn), JSON.stringify(conn));
    const pending = ExecuteCommand(conn, 'sleep 30; echo nssh-fault-opi');
    await waitForProcess(sshd.pid, 'nssh-fault-opi');
    signalAll(newSessionProcesses(before), 'SIGKILL');
    const outcome = await within(3000, pending, 'ExecuteCommand on a killed server');
    assert.equal(outcome.value.result, false);
    assert.equal(outcome.value.code, 'CONNECTION_LOST');
    assert.deepEqual(await CloseConnection(conn), { result: true });
  });

  it('sshd restarted between two commands (listener and sessions killed, a new sshd on the same port): CONNECTION_LOST, then a new connection works', async () => {
    const own = await startSshd();
    let restarted;
    try {
      const conn = await connect(keyOptions({}, own));
      const span = bystanderSpan();
      assert.equal((await conn.exec('echo one')).stdout, 'one\n');
      const everything = [...descendants(own.pid)];
      const closeEvent = once(conn, 'close'); // listening before the kill: the event may come at once
      signalAll([own.pid, ...everything], 'SIGKILL');
      restarted = await startDaemon({
        cmd: '/usr/sbin/sshd',
        args: ['-D', '-e', '-f', path.join(own.dir, 'sshd_config')],
        port: own.port,
        logFile: path.join(own.dir, 'sshd-restarted.log'),
      });
      // The idle connection notices at once: 'close' with CONNECTION_LOST, then commands fail
      // with NOT_CONNECTED saying the connection was lost.
      const closed = await within(3000, closeEvent, "the 'close' event");
      assert.equal(closed.ok, true, String(closed.error));
      assert.equal(closed.value[0].code, 'CONNECTION_LOST');
      assert.equal(conn.closedReason, closed.value[0]);
      const second = await within(3000, conn.exec('echo two'), 'the command after the restart');
      assertFails(second, 'NOT_CONNECTED', 'command after the restart');
      assert.match(second.error.message, /the connection was lost \(Connection error: /);
      assertFails(await within(2000, conn.exec('echo three'), 'a later command'), 'NOT_CONNECTED', 'a later command');
      assert.ok((await within(2000, conn.close(), 'close')).ok);
      const fresh = await connect(keyOptions({}, own));
      assert.equal((await fresh.exec('echo fresh')).stdout, 'fresh\n');
      await fresh.close();
      await assertBystander(span);
    } finally {
      await restarted?.stop();
      await own.stop();
    }
  });

  it('sshd restarted the way a service manager reloads it (listener only): the open connection keeps working', async () => {
    const own = await startSshd();
    let restarted;
    try {
      const conn = await connect(keyOptions({}, own));
      assert.equal((await conn.exec('echo one')).stdout, 'one\n');
      process.kill(own.pid, 'SIGTERM');
      await within(5000, new Promise((resolve) => {
        const poll = setInterval(() => {
          if (!processParents().has(own.pid)) {
            clearInterval(poll);
            resolve();
          }
        }, 20);
      }), 'the listener exiting');
      restarted = await startDaemon({
        cmd: '/usr/sbin/sshd',
        args: ['-D', '-e', '-f', path.join(own.dir, 'sshd_config')],
        port: own.port,
        logFile: path.join(own.dir, 'sshd-restarted.log'),
      });
      assert.equal((await conn.exec('echo two')).stdout, 'two\n');
      await conn.close();
    } finally {
      await restarted?.stop();
      await own.stop();
    }
  });

  it('a connection reset mid-command (RST from the path): CONNECTION_LOST at once', async () => {
    const relay = await relayTo(sshd.port);
    const conn = await connect(keyOptions({ port: relay.port }));
    const span = bystanderSpan();
    const pending = conn.exec('sleep 30');
    await sleep(200);
    relay.resetAll();
    const outcome = await within(3000, pending, 'the reset command');
    assertFails(outcome, 'CONNECTION_LOST', 'command on a reset connection');
    assert.ok(outcome.elapsed < 1500 * SLOW, `noticed after ${outcome.elapsed} ms`);
    await assertBystander(span);
    await conn.close();
  });
});

/** A fake proxy on 127.0.0.1 that runs `script(socket, chunks)` for each connection. */
async function fakeProxy(onConnection) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: server.address().port,
    stop: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
/** Reads the next chunk from `socket`. */
const nextChunk = (socket) => new Promise((resolve) => socket.once('data', resolve));

describe('the proxy goes away mid-handshake', () => {
  const cases = [
    ['SOCKS5: closes after the greeting', 'socks5', async (s) => { await nextChunk(s); s.destroy(); }],
    ['SOCKS5: accepts the method, closes after the CONNECT request', 'socks5', async (s) => {
      await nextChunk(s);
      s.write(Buffer.from([5, 0]));
      await nextChunk(s);
      s.end();
    }],
    ['SOCKS5: closes half-way through its reply', 'socks5', async (s) => {
      await nextChunk(s);
      s.write(Buffer.from([5, 0]));
      await nextChunk(s);
      s.write(Buffer.from([5, 0, 0, 1, 127]));
      await sleep(50);
      s.end();
    }],
    ['SOCKS4: closes before replying', 'socks4', async (s) => { await nextChunk(s); s.end(); }],
    ['HTTP CONNECT: closes half-way through the status line', 'http', async (s) => {
      await nextChunk(s);
      s.write('HTTP/1.1 200 Conn');
      await sleep(50);
      s.end();
    }],
  ];
  for (const [title, type, script] of cases) {
    it(`${title}: PROXY_PROTOCOL at once`, async () => {
      const proxy = await fakeProxy((socket) => { script(socket).catch(() => undefined); });
      try {
        const span = bystanderSpan();
        const outcome = await within(3000, connect(keyOptions({ connectTimeout: 20_000, proxy: { type, host: '127.0.0.1', port: proxy.port } })), title);
        assertFails(outcome, 'PROXY_PROTOCOL', title);
        assert.equal(outcome.error.level, 'proxy');
        assert.ok(outcome.elapsed < 1000 * SLOW, `took ${outcome.elapsed} ms`);
        await assertBystander(span);
      } finally {
        await proxy.stop();
      }
    });
  }

  it('the path behind a real SOCKS5 proxy (dante) closes in the middle of the SSH key exchange: HANDSHAKE_FAILED at once', async () => {
    // dante -> relay -> sshd; the relay gives up after 600 bytes from the server (inside KEXINIT).
    const relay = await relayTo(sshd.port, { cutAfter: { fromServer: 600 } });
    const outcome = await within(3000, connect(keyOptions({
      port: relay.port,
      connectTimeout: 20_000,
      proxy: { type: 'socks5', host: dante.host, port: dante.port },
    })), 'connect through a path cut mid key exchange');
    assertFails(outcome, 'HANDSHAKE_FAILED', 'cut in the key exchange');
    assert.ok(outcome.elapsed < 1000 * SLOW, `took ${outcome.elapsed} ms`);
  });

  it('cut after the key exchange, during login: a transport failure, not a refused login', async () => {
    // About 2000 bytes come from sshd up to the userauth answer; cutting at 1900 lands in the login.
    const relay = await relayTo(sshd.port, { cutAfter: { fromServer: 1900 } });
    const outcome = await within(3000, connect(keyOptions({
      port: relay.port,
      connectTimeout: 20_000,
      proxy: { type: 'socks5', host: dante.host, port: dante.port },
    })), 'connect through a path cut during login');
    assert.equal(outcome.ok, false);
    assert.ok(['CONNECTION_LOST', 'HANDSHAKE_FAILED'].includes(outcome.error.code), `${outcome.error.code}: ${outcome.error.message}`);
  });

  it('a proxy that goes silent after accepting: TIMEOUT at connect_timeout (stage: proxy handshake)', async () => {
    const proxy = await fakeProxy((socket) => socket.resume());
    try {
      const outcome = await within(5000, connect(keyOptions({ connectTimeout: 1000, proxy: { type: 'socks5', host: '127.0.0.1', port: proxy.port } })), 'silent proxy');
      assertFails(outcome, 'TIMEOUT', 'silent proxy');
      assert.match(outcome.error.message, /stage: proxy handshake/);
      assert.ok(outcome.elapsed >= 900 && outcome.elapsed < 2500 * SLOW, `took ${outcome.elapsed} ms`);
    } finally {
      await proxy.stop();
    }
  });
});

describe('the server stops reading', () => {
  it('the whole session frozen (SIGSTOP) while 64 MB of stdin go out, keepalive_interval 0.5: CONNECTION_LOST within a few intervals', async () => {
    const before = descendants(sshd.pid);
    const conn = await CreateConnection(opiSettings({ keepalive_interval: 0.5 }));
    const span = bystanderSpan();
    const mine = [];
    try {
      await ExecuteCommand(conn, 'true');
      mine.push(...newSessionProcesses(before));
      const pending = conn.exec('cat > /dev/null', { stdin: Buffer.alloc(64 * 1024 * 1024, 0x61) });
      await sleep(100);
      signalAll(mine, 'SIGSTOP');
      const outcome = await within(10_000, pending, 'stdin to a frozen server');
      assertFails(outcome, 'CONNECTION_LOST', 'stdin to a frozen server');
      assert.match(outcome.error.message, /keepalive/);
      assert.ok(outcome.elapsed < 4000 * SLOW, `took ${outcome.elapsed} ms`);
      await assertBystander(span);
    } finally {
      const closing = await within(3000, CloseConnection(conn), 'close of a frozen connection');
      assert.deepEqual(closing.value, { result: true });
      signalAll(mine, 'SIGCONT');
    }
  });

  it('the whole session frozen, no keepalive, command_timeout 2: TIMEOUT, and close() is bounded', async () => {
    const before = descendants(sshd.pid);
    const conn = await CreateConnection(opiSettings({ command_timeout: 2 }));
    const mine = [];
    try {
      await ExecuteCommand(conn, 'true');
      mine.push(...newSessionProcesses(before));
      assert.ok(mine.length > 0, 'the connection has server processes to freeze');
      // Frozen before the command goes out, and seen stopped: sending first raced the signal (the
      // command could start, read EOF and exit before the stop landed: result true in 136 ms).
      signalAll(mine, 'SIGSTOP');
      await waitStopped(mine);
      const pending = ExecuteCommand(conn, 'cat > /dev/null');
      const outcome = await within(6000, pending, 'a command on a frozen server');
      assert.equal(outcome.value.result, false);
      assert.equal(outcome.value.code, 'TIMEOUT');
      assert.ok(outcome.elapsed >= 1800 && outcome.elapsed < 4000 * SLOW, `took ${outcome.elapsed} ms`);
      const closing = await within(4000, CloseConnection(conn), 'close of a frozen connection');
      assert.deepEqual(closing.value, { result: true });
    } finally {
      signalAll(mine, 'SIGCONT');
    }
  });

  it('only the command frozen (SIGSTOP cat) while 64 MB of stdin go out: TIMEOUT; the same connection runs other commands meanwhile', async () => {
    const conn = await connect(keyOptions());
    let cat;
    try {
      const pending = conn.exec('cat > /dev/null; echo nssh-frozen-cat', { stdin: Buffer.alloc(64 * 1024 * 1024, 0x62), timeout: 2000 });
      const shell = await waitForProcess(sshd.pid, 'nssh-frozen-cat');
      cat = await waitForProcess(shell, 'cat');
      process.kill(cat, 'SIGSTOP');
      const outcome = await within(6000, pending, 'stdin to a frozen command');
      assertFails(outcome, 'TIMEOUT', 'stdin to a frozen command');
      assert.equal((await within(5000, conn.exec('echo meanwhile'), 'a second command')).value?.stdout, 'meanwhile\n');
      process.kill(cat, 'SIGCONT');
      cat = undefined;
      assert.equal((await conn.exec('echo after')).stdout, 'after\n');
    } finally {
      if (cat !== undefined) signalAll([cat], 'SIGCONT');
      await conn.close();
    }
  });
});

describe('the path goes silent', () => {
  it('a black-holed path during a command, keepalive_interval 0.5: CONNECTION_LOST within a few intervals; later calls NOT_CONNECTED', async () => {
    const relay = await relayTo(sshd.port);
    const conn = await CreateConnection(opiSettings({ keepalive_interval: 0.5 }, relay.port));
    assert.ok(!('result' in conn), JSON.stringify(conn));
    const span = bystanderSpan();
    const pending = ExecuteCommand(conn, 'sleep 30');
    await sleep(300);
    relay.blackhole();
    const outcome = await within(10_000, pending, 'a command over a silent path');
    assert.equal(outcome.value.result, false);
    assert.equal(outcome.value.code, 'CONNECTION_LOST', outcome.value.error);
    // Three silent intervals, counted from the last bytes received: between 1 and 2 s.
    assert.ok(outcome.elapsed >= 800 && outcome.elapsed < 4000 * SLOW, `took ${outcome.elapsed} ms`);
    assert.equal((await ExecuteCommand(conn, 'true')).code, 'NOT_CONNECTED');
    const closing = await within(1000, CloseConnection(conn), 'close after the loss');
    assert.deepEqual(closing.value, { result: true });
    await assertBystander(span);
  });

  it('a path that goes silent while the connection is idle: the next command fails with CONNECTION_LOST (keepalive), not a hang', async () => {
    const relay = await relayTo(sshd.port);
    const conn = await connect(keyOptions({ port: relay.port, keepaliveInterval: 500 }));
    assert.equal((await conn.exec('echo before')).stdout, 'before\n');
    relay.blackhole();
    await sleep(600);
    const outcome = await within(8000, conn.exec('echo after'), 'a command over a silent path');
    assertFails(outcome, 'CONNECTION_LOST', 'a command over a silent path');
    await conn.close();
  });

  it('a healthy idle connection with keepalive_interval survives many intervals', async () => {
    const conn = await connect(keyOptions({ keepaliveInterval: 300 }));
    await sleep(1500); // five intervals without a command (replies are not read while idle)
    assert.equal((await conn.exec('echo alive')).stdout, 'alive\n');
    await conn.close();
  });

  it('a black-holed path without keepalive: a command_timeout still ends the command (TIMEOUT), and close() is bounded', async () => {
    const relay = await relayTo(sshd.port);
    const conn = await connect(keyOptions({ port: relay.port }));
    relay.blackhole();
    const outcome = await within(5000, conn.exec('echo lost', { timeout: 1000 }), 'a command over a silent path');
    assertFails(outcome, 'TIMEOUT', 'a command over a silent path');
    assert.ok((await within(4000, conn.close(), 'close over a silent path')).ok);
  });

  it('connecting through a black-holed path: TIMEOUT at connect_timeout (stage: SSH handshake)', async () => {
    const relay = await relayTo(sshd.port);
    relay.blackhole();
    const outcome = await within(5000, connect(keyOptions({ port: relay.port, connectTimeout: 1000 })), 'connect over a silent path');
    assertFails(outcome, 'TIMEOUT', 'connect over a silent path');
    assert.match(outcome.error.message, /stage: SSH handshake/);
  });

  it('a stalled path (the relay stops reading, TCP windows close) during a big stdin, keepaliveInterval 500 ms: CONNECTION_LOST', async () => {
    const relay = await relayTo(sshd.port);
    const conn = await connect(keyOptions({ port: relay.port, keepaliveInterval: 500 }));
    const pending = conn.exec('cat > /dev/null', { stdin: Buffer.alloc(32 * 1024 * 1024) });
    await sleep(100);
    relay.stall();
    const outcome = await within(10_000, pending, 'stdin over a stalled path');
    assertFails(outcome, 'CONNECTION_LOST', 'stdin over a stalled path');
    assert.ok((await within(4000, conn.close(), 'close over a stalled path')).ok);
  });
});
