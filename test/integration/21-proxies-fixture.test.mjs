// Proves the proxy fixtures work: each real proxy carries a tunnel to the echo server, and each
// refuses wrong or missing credentials. Run: node --test test/integration/21-proxies-fixture.test.mjs
// Needs root and the packages in scripts/ci-proxy-packages.txt.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';

import { freePort } from '../fixtures/free-port.mjs';
import { startDaemon, waitForPort } from '../fixtures/proc.mjs';
import {
  startDante, startEchoServer, startRefusingPort, startSilentServer, startSshDynamicForward,
  startTinyproxy,
} from '../fixtures/proxies.mjs';

const execFileP = promisify(execFile);
const STEP_MS = 5000; // bound on every single network step in these tests

// ---------------------------------------------------------------------------------------------
// clients used by the tests

/**
 * Runs OpenBSD netcat through a proxy to the echo server, sends a line, and waits (bounded) for
 * `HELLO\r\n` followed by the echoed line. stdin stays open until then: tinyproxy ends a tunnel
 * as soon as the client half-closes, so `echo x | nc -q1` would race it.
 * @param {string[]} proxyArgs e.g. ['-X', '5', '-x', '127.0.0.1:1080']
 * @param {string} targetHost
 * @param {number} targetPort
 * @returns {Promise<{ok: boolean, stdout: string, stderr: string, code: number | null}>}
 */
function ncTunnel(proxyArgs, targetHost, targetPort) {
  const line = `ping-${crypto.randomBytes(4).toString('hex')}\n`;
  const want = `HELLO\r\n${line}`;
  return new Promise((resolve) => {
    const nc = spawn('nc', [...proxyArgs, '-w', '5', targetHost, String(targetPort)],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (ok, code = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (nc.exitCode === null && nc.signalCode === null) nc.kill('SIGTERM');
      resolve({ ok, stdout, stderr, code });
    };
    const timer = setTimeout(() => finish(false), STEP_MS);
    nc.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes(want)) finish(true);
    });
    nc.stderr.on('data', (d) => { stderr += d; });
    nc.stdin.on('error', () => {});
    nc.stdin.write(line);
    nc.once('error', (err) => { stderr += String(err); finish(false); });
    nc.once('exit', (code) => {
      // give stdout a moment to drain its last chunk
      setImmediate(() => finish(stdout.includes(want), code));
    });
  });
}

/** A socket with a bounded "read exactly n bytes" on top. */
class Conn {
  /** @param {net.Socket} sock */
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.ended = false;
    this.waiter = null;
    sock.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.waiter?.(); });
    sock.on('end', () => { this.ended = true; this.waiter?.(); });
    sock.on('close', () => { this.ended = true; this.waiter?.(); });
    sock.on('error', () => { this.ended = true; this.waiter?.(); });
  }

  /**
   * @param {string} host
   * @param {number} port
   * @returns {Promise<Conn>}
   */
  static open(host, port) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`connect ${host}:${port} timed out`)); }, STEP_MS);
      sock.once('connect', () => { clearTimeout(timer); resolve(new Conn(sock)); });
      sock.once('error', (err) => { clearTimeout(timer); reject(err); });
    });
  }

  /**
   * Resolves when `pred(buffer)` returns a number n > 0: consumes and returns n bytes.
   * Rejects when the peer closes first or after STEP_MS.
   * @param {(b: Buffer) => number} pred
   */
  async take(pred) {
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const n = pred(this.buf);
      if (n > 0) {
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        return out;
      }
      if (this.ended) throw Object.assign(new Error(`peer closed (have ${this.buf.length} bytes)`), { code: 'PEER_CLOSED' });
      const left = deadline - Date.now();
      if (left <= 0) throw Object.assign(new Error('read timed out'), { code: 'READ_TIMEOUT' });
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => { clearTimeout(timer); this.waiter = null; resolve(); };
      });
    }
  }

  /** @param {number} n */
  read(n) {
    return this.take((b) => (b.length >= n ? n : 0));
  }

  /** Reads through the first occurrence of `marker`. */
  readUntil(marker) {
    return this.take((b) => {
      const i = b.indexOf(marker);
      return i < 0 ? 0 : i + Buffer.byteLength(marker);
    });
  }

  write(data) { this.sock.write(data); }

  close() { this.sock.destroy(); }

  /** Checks that the tunnel reaches the echo server: HELLO first, then an echo. */
  async expectEcho() {
    assert.equal((await this.readUntil('HELLO\r\n')).toString(), 'HELLO\r\n');
    const line = `echo-${crypto.randomBytes(4).toString('hex')}\n`;
    this.write(line);
    assert.equal((await this.readUntil(line)).toString(), line);
  }
}

/** SOCKS5 address bytes: ATYP + address + port. */
function socks5Addr(host, port) {
  const p = Buffer.from([port >> 8, port & 0xff]);
  if (net.isIPv4(host)) return Buffer.concat([Buffer.from([1, ...host.split('.').map(Number)]), p]);
  if (net.isIPv6(host)) return Buffer.concat([Buffer.from([4]), expandIPv6(host), p]);
  const name = Buffer.from(host);
  return Buffer.concat([Buffer.from([3, name.length]), name, p]);
}

/** 16 bytes of an IPv6 literal without an embedded IPv4 part ('::1', 'fe80::1'). */
function expandIPv6(addr) {
  const [head, tail = ''] = addr.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(parseInt(g, 16), i * 2);
  });
  return out;
}

/**
 * A SOCKS5 CONNECT handshake (RFC 1928, RFC 1929), step by step.
 * @returns {Promise<{stage: 'method' | 'auth' | 'connect' | 'done', method?: number, authStatus?: number, reply?: number, conn: Conn}>}
 */
async function socks5(proxy, { user, pass, offer } = {}, host, port) {
  const conn = await Conn.open(proxy.host, proxy.port);
  const methods = offer ?? (user !== undefined ? [0x02] : [0x00]);
  conn.write(Buffer.from([5, methods.length, ...methods]));
  let sel;
  try {
    sel = await conn.read(2);
  } catch (err) {
    return { stage: 'method', method: -1, error: err, conn };
  }
  assert.equal(sel[0], 5, 'SOCKS5 version in method selection');
  if (sel[1] === 0xff || !methods.includes(sel[1])) return { stage: 'method', method: sel[1], conn };
  if (sel[1] === 0x02) {
    const u = Buffer.from(user ?? '');
    const pw = Buffer.from(pass ?? '');
    conn.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([pw.length]), pw]));
    let st;
    try {
      st = await conn.read(2);
    } catch (err) {
      return { stage: 'auth', authStatus: -1, error: err, conn };
    }
    if (st[1] !== 0) return { stage: 'auth', authStatus: st[1], conn };
  }
  conn.write(Buffer.concat([Buffer.from([5, 1, 0]), socks5Addr(host, port)]));
  let head;
  try {
    head = await conn.read(4);
  } catch (err) {
    return { stage: 'connect', reply: -1, error: err, conn };
  }
  const alen = head[3] === 1 ? 4 : head[3] === 4 ? 16 : (await conn.read(1))[0];
  await conn.read(alen + 2);
  if (head[1] !== 0) return { stage: 'connect', reply: head[1], conn };
  return { stage: 'done', reply: 0, conn };
}

/**
 * A SOCKS4 CONNECT (SOCKS4a when `host` is not an IPv4 literal).
 * @returns {Promise<{code: number, conn: Conn}>} code 0x5a = granted; -1 = closed without reply
 */
async function socks4(proxy, host, port) {
  const conn = await Conn.open(proxy.host, proxy.port);
  const p = [port >> 8, port & 0xff];
  const userid = Buffer.from('nssh\0');
  if (net.isIPv4(host)) {
    conn.write(Buffer.concat([Buffer.from([4, 1, ...p, ...host.split('.').map(Number)]), userid]));
  } else {
    conn.write(Buffer.concat([Buffer.from([4, 1, ...p, 0, 0, 0, 1]), userid, Buffer.from(`${host}\0`)]));
  }
  try {
    const r = await conn.read(8);
    return { code: r[1], conn };
  } catch {
    return { code: -1, conn };
  }
}

/**
 * An HTTP CONNECT request, optionally with Basic credentials.
 * @returns {Promise<{status: number, statusLine: string, head: string, conn: Conn}>}
 */
async function httpConnect(proxy, host, port, { user, pass } = {}) {
  const conn = await Conn.open(proxy.host, proxy.port);
  const auth = user !== undefined
    ? `Proxy-Authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}\r\n`
    : '';
  conn.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n${auth}\r\n`);
  const head = (await conn.readUntil('\r\n\r\n')).toString('latin1');
  const statusLine = head.split('\r\n')[0];
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  assert.ok(m, `not an HTTP status line: ${JSON.stringify(statusLine)}`);
  return { status: Number(m[1]), statusLine, head, conn };
}

/** Whether a TCP connect to 127.0.0.1:port is refused. */
function isRefused(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => { s.destroy(); resolve(false); }, STEP_MS);
    s.once('connect', () => { clearTimeout(timer); s.destroy(); resolve(false); });
    s.once('error', (err) => { clearTimeout(timer); resolve(err.code === 'ECONNREFUSED'); });
  });
}

/** Non-zombie processes in process group `pgid` (read from /proc), as "pid name". */
function liveProcessGroup(pgid) {
  const found = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      // after "(comm) ": state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') found.push(`${pid} ${name}`);
    } catch { /* exited meanwhile */ }
  }
  return found;
}

/** Adds the fixture's log tail to assertion failures. */
function why(fixture, extra = '') {
  return `${extra}\n${fixture.logTail?.() ?? ''}`;
}

// ---------------------------------------------------------------------------------------------
// a throwaway sshd for the ssh -D fixture (the project's real sshd fixture lives elsewhere)

/**
 * @returns {Promise<{port: number, keyPath: string, user: string, stop: () => Promise<void>}>}
 */
async function startThrowawaySshd() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nssh-test-sshd-'));
  try {
    await fsp.mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation dir
    const hostKey = path.join(dir, 'host_ed25519');
    const keyPath = path.join(dir, 'id_ed25519');
    await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nssh-host', '-f', hostKey], { timeout: STEP_MS });
    await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nssh-client', '-f', keyPath], { timeout: STEP_MS });
    await fsp.copyFile(`${keyPath}.pub`, path.join(dir, 'authorized_keys'));
    const conf = path.join(dir, 'sshd_config');
    const logFile = path.join(dir, 'sshd.log');
    let daemon;
    let port;
    for (let attempt = 0; attempt < 3 && !daemon; attempt++) {
      port = await freePort();
      await fsp.writeFile(conf, [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'AllowTcpForwarding yes',
        'LogLevel VERBOSE',
        '',
      ].join('\n'));
      try {
        daemon = await startDaemon({ cmd: '/usr/sbin/sshd', args: ['-D', '-e', '-f', conf], port, logFile });
      } catch (err) {
        if (err.code !== 'EDAEMONEXIT' || !/in use/i.test(err.message)) throw err;
      }
    }
    return {
      port,
      keyPath,
      user: 'root',
      logTail: daemon.logTail,
      stop: async () => {
        await daemon.stop();
        await fsp.rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

describe('helper servers', () => {
  test('echo server says HELLO and echoes', async (t) => {
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    assert.equal(echo.host, '127.0.0.1');
    assert.equal(echo.type, 'echo');
    const c = await Conn.open(echo.host, echo.port);
    t.after(() => c.close());
    await c.expectEcho();
    assert.equal(echo.accepted(), 1);
  });

  test('silent server accepts and never writes', async (t) => {
    const silent = await startSilentServer();
    t.after(() => silent.stop());
    const c = await Conn.open(silent.host, silent.port);
    t.after(() => c.close());
    c.write('SSH-2.0-test\r\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(c.buf.length, 0);
    assert.equal(c.ended, false);
    assert.equal(silent.accepted(), 1);
  });

  test('refusing port refuses', async () => {
    const r = await startRefusingPort();
    assert.equal(r.type, 'refusing');
    assert.equal(await isRefused(r.port), true);
    await r.stop();
  });

  test('freePort gives distinct usable ports', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length);
    for (const p of ports) assert.ok(p > 1024 && p < 65536);
  });

  test('startDaemon reports an early exit with its stderr', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(
      startDaemon({ cmd: 'sh', args: ['-c', 'echo boom-on-stderr >&2; exit 3'], port }),
      (err) => err.code === 'EDAEMONEXIT' && /code 3/.test(err.message) && /boom-on-stderr/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 3000);
  });

  test('startDaemon gives up after its bound and kills the daemon', async () => {
    const port = await freePort();
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nssh-test-proc-'));
    const pidFile = path.join(dir, 'pid');
    try {
      const t0 = Date.now();
      await assert.rejects(
        startDaemon({
          cmd: 'sh', args: ['-c', `echo $$ > ${pidFile}; echo waiting >&2; exec sleep 30`],
          port, timeoutMs: 400, logFile: path.join(dir, 'log'),
        }),
        (err) => err.code === 'EDAEMONTIMEOUT' && /within 400 ms/.test(err.message) && /waiting/.test(err.message),
      );
      assert.ok(Date.now() - t0 < 3000, 'bounded');
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  test('waitForPort is bounded', async () => {
    const r = await startRefusingPort();
    const t0 = Date.now();
    await assert.rejects(waitForPort(r.port, 300), /within 300 ms/);
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('dante (SOCKS4/SOCKS5)', () => {
  test('auth none: SOCKS5 and SOCKS4 tunnels work; SOCKS4a names are not supported', async (t) => {
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    const proxy = await startDante({ auth: 'none' });
    t.after(() => proxy.stop());
    assert.deepEqual(
      { host: proxy.host, type: proxy.type, login: proxy.login, password: proxy.password },
      { host: '127.0.0.1', type: 'socks5', login: undefined, password: undefined },
    );
    const px = `${proxy.host}:${proxy.port}`;

    const s5 = await ncTunnel(['-X', '5', '-x', px], '127.0.0.1', echo.port);
    assert.ok(s5.ok, why(proxy, `nc -X 5: ${JSON.stringify(s5)}`));
    const s4 = await ncTunnel(['-X', '4', '-x', px], '127.0.0.1', echo.port);
    assert.ok(s4.ok, why(proxy, `nc -X 4: ${JSON.stringify(s4)}`));

    const r4a = await socks4(proxy, 'localhost', echo.port);
    r4a.conn.close();
    assert.notEqual(r4a.code, 0x5a, 'dante is not expected to grant SOCKS4a name targets');
  });

  test('auth none: SOCKS5 to an IPv6 loopback target (::1)', async (t) => {
    const echo6 = await startEchoServer({ host: '::1' });
    t.after(() => echo6.stop());
    const proxy = await startDante({ auth: 'none' });
    t.after(() => proxy.stop());
    const r = await socks5(proxy, {}, '::1', echo6.port);
    t.after(() => r.conn.close());
    assert.equal(r.stage, 'done', why(proxy, JSON.stringify({ ...r, conn: undefined })));
    await r.conn.expectEcho();
  });

  test('auth username: right password tunnels, wrong password and no-auth are refused', async (t) => {
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    const proxy = await startDante({ auth: 'username' });
    t.after(() => proxy.stop());
    assert.equal(proxy.login, 'nsshproxy');
    assert.match(proxy.password, /^[0-9a-f]{24}$/);

    const good = await socks5(proxy, { user: proxy.login, pass: proxy.password }, '127.0.0.1', echo.port);
    t.after(() => good.conn.close());
    assert.equal(good.stage, 'done', why(proxy, JSON.stringify({ ...good, conn: undefined })));
    await good.conn.expectEcho();

    const bad = await socks5(proxy, { user: proxy.login, pass: `${proxy.password}x` }, '127.0.0.1', echo.port);
    bad.conn.close();
    assert.equal(bad.stage, 'auth');
    assert.notEqual(bad.authStatus, 0);

    const noUser = await socks5(proxy, { user: 'root', pass: proxy.password }, '127.0.0.1', echo.port);
    noUser.conn.close();
    assert.notEqual(noUser.stage, 'done', 'only nsshproxy may use the proxy');

    const noAuth = await socks5(proxy, {}, '127.0.0.1', echo.port);
    noAuth.conn.close();
    assert.equal(noAuth.stage, 'method');
    assert.equal(noAuth.method, 0xff);

    const nc = await ncTunnel(['-X', '5', '-x', `${proxy.host}:${proxy.port}`], '127.0.0.1', echo.port);
    assert.equal(nc.ok, false);
    assert.match(nc.stderr, /authentication method negotiation failed/);

    const s4 = await socks4(proxy, '127.0.0.1', echo.port);
    s4.conn.close();
    assert.notEqual(s4.code, 0x5a, 'SOCKS4 cannot authenticate, so it must be refused');
  });

  test('stop() ends every danted process and removes the temp dir', async (t) => {
    const proxy = await startDante({ auth: 'none' });
    t.after(() => proxy.stop());
    const { dir, pid } = proxy;
    assert.ok(fs.existsSync(path.join(dir, 'danted.conf')));
    // a SOCKS session makes sure danted has forked its workers
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    const r = await socks5(proxy, {}, '127.0.0.1', echo.port);
    await r.conn.expectEcho();
    assert.ok(liveProcessGroup(pid).length >= 2, `mother and workers: ${liveProcessGroup(pid)}`);
    await proxy.stop();
    await proxy.stop(); // idempotent
    r.conn.close();
    assert.equal(fs.existsSync(dir), false);
    assert.deepEqual(liveProcessGroup(pid), []);
    // (no "port now refuses" check: a parallel test process may already have been given it)
  });
});

describe('tinyproxy (HTTP CONNECT)', () => {
  test('auth none: CONNECT tunnel works (nc -X connect) to a non-443 port', async (t) => {
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    const proxy = await startTinyproxy({ auth: 'none' });
    t.after(() => proxy.stop());
    assert.equal(proxy.type, 'http');
    assert.equal(proxy.login, undefined);
    const r = await ncTunnel(['-X', 'connect', '-x', `${proxy.host}:${proxy.port}`], '127.0.0.1', echo.port);
    assert.ok(r.ok, why(proxy, `nc -X connect: ${JSON.stringify(r)}`));

    // bytes sent right behind the request head are not lost
    const c = await Conn.open(proxy.host, proxy.port);
    t.after(() => c.close());
    c.write(`CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\n\r\nearly\n`);
    const head = (await c.readUntil('\r\n\r\n')).toString();
    assert.match(head, /^HTTP\/1\.[01] 200/);
    await c.readUntil('HELLO\r\n');
    assert.equal((await c.readUntil('early\n')).toString(), 'early\n');
  });

  test('auth basic: right credentials tunnel; none gets 407, wrong ones 401 or 407', async (t) => {
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    const proxy = await startTinyproxy({ auth: 'basic' });
    t.after(() => proxy.stop());
    assert.equal(proxy.login, 'nsshproxy');
    assert.match(proxy.password, /^[0-9a-f]{24}$/);

    const good = await httpConnect(proxy, '127.0.0.1', echo.port, { user: proxy.login, pass: proxy.password });
    t.after(() => good.conn.close());
    assert.match(good.statusLine, /^HTTP\/1\.[01] 200/, why(proxy, good.head));
    await good.conn.expectEcho();

    const none = await httpConnect(proxy, '127.0.0.1', echo.port);
    none.conn.close();
    assert.equal(none.status, 407, none.head);
    assert.match(none.head, /Proxy-Authenticate: Basic/i);

    // tinyproxy 1.11.1 answers a Proxy-Authorization header that fails with
    // "401 Unauthorized" + WWW-Authenticate (not 407): a client must treat both as refused.
    for (const creds of [
      { user: proxy.login, pass: 'wrong' },
      { user: 'someone', pass: proxy.password },
    ]) {
      const wrong = await httpConnect(proxy, '127.0.0.1', echo.port, creds);
      wrong.conn.close();
      assert.ok([401, 407].includes(wrong.status), wrong.head);
    }

    const nc = await ncTunnel(['-X', 'connect', '-x', `${proxy.host}:${proxy.port}`], '127.0.0.1', echo.port);
    assert.equal(nc.ok, false);
    assert.match(nc.stderr, /407/);
  });
});

describe('ssh -D (OpenSSH dynamic forward)', () => {
  test('SOCKS5, SOCKS4 and SOCKS4a (name target) tunnels work', async (t) => {
    const echo = await startEchoServer();
    t.after(() => echo.stop());
    const sshd = await startThrowawaySshd();
    t.after(() => sshd.stop());
    const proxy = await startSshDynamicForward({
      sshPort: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsOff: true,
    });
    t.after(() => proxy.stop());
    assert.equal(proxy.type, 'socks5');
    assert.deepEqual(proxy.protocols, ['socks5', 'socks4', 'socks4a']);
    const px = `${proxy.host}:${proxy.port}`;

    const s5 = await ncTunnel(['-X', '5', '-x', px], '127.0.0.1', echo.port);
    assert.ok(s5.ok, why(proxy, `nc -X 5: ${JSON.stringify(s5)}\n${sshd.logTail()}`));
    const s4 = await ncTunnel(['-X', '4', '-x', px], '127.0.0.1', echo.port);
    assert.ok(s4.ok, why(proxy, `nc -X 4: ${JSON.stringify(s4)}`));

    // nc -X 4 resolves names itself and sends plain SOCKS4, so SOCKS4a is crafted here
    const s4a = await socks4(proxy, 'localhost', echo.port);
    t.after(() => s4a.conn.close());
    assert.equal(s4a.code, 0x5a, why(proxy, `SOCKS4a reply ${s4a.code}`));
    await s4a.conn.expectEcho();

    // SOCKS5 with a domain-name target (ATYP 3), resolved by the sshd side
    const s5name = await socks5(proxy, {}, 'localhost', echo.port);
    t.after(() => s5name.conn.close());
    assert.equal(s5name.stage, 'done');
    await s5name.conn.expectEcho();
  });

  test('a failed login makes the fixture reject promptly with ssh\'s stderr', async (t) => {
    const sshd = await startThrowawaySshd();
    t.after(() => sshd.stop());
    const otherKey = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'nssh-test-key-')), 'id');
    t.after(() => fsp.rm(path.dirname(otherKey), { recursive: true, force: true }));
    await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey], { timeout: STEP_MS });
    const t0 = Date.now();
    await assert.rejects(
      startSshDynamicForward({ sshPort: sshd.port, user: 'root', keyPath: otherKey }),
      (err) => err.code === 'EDAEMONEXIT' && /Permission denied/.test(err.message),
    );
    assert.ok(Date.now() - t0 < 5000);
  });
});
