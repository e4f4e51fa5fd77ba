// A connection says when it ends: 'close' once (with the error when the link was lost, also
// while idle), `closed` and `closedReason`; and debug lines the Node way (the `debug` option and
// NODE_DEBUG=native-ssh), never with a secret.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import util from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { connect, SshError } from '../../dist/index.js';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let sshd;
before(async () => { sshd = await startSshd(); });
after(async () => { await sshd?.stop(); });

const options = (extra = {}) => ({
  host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { policy: 'off' }, ...extra,
});

/** Kills the sshd processes that serve `conn` (the session process and its privileged monitor). */
async function killSessionServer(conn) {
  const { stdout } = await conn.exec('echo $PPID; ps -o ppid= -p $PPID');
  const [session, monitor] = stdout.trim().split(/\s+/).map(Number);
  assert.ok(session > 1 && monitor > 1, stdout);
  for (const pid of [session, monitor]) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

/** Resolves with the 'close' event's arguments, or fails after `ms` (a bound, not a speed check). */
function closeEvent(conn, ms = 20_000) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  return once(conn, 'close', { signal: ac.signal }).finally(() => clearTimeout(timer));
}

describe("the 'close' event", () => {
  it('an idle connection whose server is killed emits close with CONNECTION_LOST; closed and closedReason say so', async () => {
    const conn = await connect(options());
    assert.equal(conn.closed, false);
    assert.equal(conn.closedReason, undefined);
    const closing = closeEvent(conn);
    await killSessionServer(conn);
    const [error] = await closing;
    assert.ok(error instanceof SshError);
    assert.equal(error.code, 'CONNECTION_LOST');
    assert.match(error.message, /the server closed the connection|the connection broke .*reset by peer/);
    assert.equal(conn.closed, true);
    assert.equal(conn.closedReason, error);
    // A later command fails at once, and says why.
    await assert.rejects(conn.exec('true'), (e) => e.code === 'NOT_CONNECTED' && /connection was lost/.test(e.message));
    let again = 0;
    conn.on('close', () => again++);
    await conn.close();
    assert.equal(again, 0);
    assert.match(util.inspect(conn), /lost \(CONNECTION_LOST\)/);
  });

  it('a server killed while a command runs: the command rejects and close fires once with the error', async () => {
    const conn = await connect(options());
    const events = [];
    conn.on('close', (e) => events.push(e));
    const running = conn.exec('sleep 60');
    const closing = closeEvent(conn);
    // A second connection finds and kills this one's server (the first is busy).
    const { stdout } = await conn.exec("ps -o pid= -o args= -u \"$USER\" | awk '/sleep 60/ && !/awk/ {print $1}' | head -1; echo $PPID");
    const [sleepPid, session] = stdout.trim().split(/\s+/).map(Number);
    assert.ok(sleepPid > 1 && session > 1, stdout);
    const { stdout: monitorOut } = await conn.exec(`ps -o ppid= -p ${session}`);
    for (const pid of [session, Number(monitorOut.trim())]) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    await assert.rejects(running, (e) => e.code === 'CONNECTION_LOST');
    await closing;
    assert.equal(events.length, 1);
    assert.equal(events[0].code, 'CONNECTION_LOST');
    try { process.kill(sleepPid, 'SIGKILL'); } catch { /* gone */ }
    await conn.close();
  });

  it('close() emits close once, without an error; closedReason is "closed"', async () => {
    const conn = await connect(options());
    const events = [];
    conn.on('close', (...args) => events.push(args));
    const first = conn.close();
    assert.equal(conn.closed, true);
    assert.equal(conn.closedReason, 'closed');
    await Promise.all([first, conn.close()]);
    assert.deepEqual(events, [[]]);
  });

  it("an open connection with a 'close' listener does not keep the process alive", () => {
    const script = `
      import { connect } from ${JSON.stringify(path.join(root, 'dist', 'index.js'))};
      const conn = await connect(${JSON.stringify(options())});
      conn.on('close', () => {});
      globalThis.keep = conn;
      console.log('connected');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.signal, null, 'the process had to be killed');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'connected');
  });
});

describe('debug lines', () => {
  it('the debug option gets the stages, the host key, the algorithms, the login method and the channels', async () => {
    const lines = [];
    const conn = await connect(options({ debug: (line) => lines.push(line), hostKey: { policy: 'accept-new', knownHosts: '/dev/null' } }));
    await conn.exec('true');
    await conn.close();
    const text = lines.join('\n');
    for (const pattern of [/connecting, login private_key/, /TCP connected/, /host key ssh-ed25519 SHA256:/, /logged in with publickey/,
      /kex [a-z0-9@.-]+, host key ssh-ed25519, cipher /, /command \d+: opening a channel/, /command \d+: channel closed/, /closing: sending a disconnect/]) {
      assert.match(text, pattern);
    }
    assert.ok(lines.every((l) => /^#\d+ [^@]+@127\.0\.0\.1:\d+: /.test(l)), text);
  });

  it('a failed login is in the debug lines; no password is', { skip: !canUsePassword && 'needs root' }, async () => {
    const lines = [];
    const secret = 'not-the-password-4c1f';
    await assert.rejects(connect({ ...options({ debug: (line) => lines.push(line) }), privateKeyPath: undefined, password: secret }));
    const text = lines.join('\n');
    assert.match(text, /connect failed \(AUTH_FAILED\)/);
    assert.ok(!text.includes(secret));
  });

  it('NODE_DEBUG=native-ssh prints the same lines to stderr', () => {
    const script = `
      import { connect } from ${JSON.stringify(path.join(root, 'dist', 'index.js'))};
      const conn = await connect(${JSON.stringify(options())});
      await conn.exec('true');
      await conn.close();
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_DEBUG: 'native-ssh' } });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /NATIVE-SSH \d+: #1 .*logged in with publickey/);
    assert.match(result.stderr, /NATIVE-SSH \d+: #1 .*command \d+: channel closed/);
  });

  it('debug must be a function', async () => {
    await assert.rejects(connect(options({ debug: true })), /Settings error: debug must be a function/);
  });
});
