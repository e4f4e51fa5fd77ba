// accept-new as OpenSSH's StrictHostKeyChecking accept-new: a new host is recorded in the
// known_hosts file in use (default ~/.ssh/known_hosts, 0600 in a 0700 ~/.ssh), under a lock with
// a re-read, so parallel first connections record one line and a second, different key is
// refused. Every file here is a temporary one (the fixtures point HOME at a temporary directory).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { connect, ExecuteCommand, GetConnectionConfiguration, GetSettingsPrivateKey, SshError } from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let sshd;
let other;
let dir;
before(async () => {
  [sshd, other] = await Promise.all([startSshd(), startSshd()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-record-'));
});
after(async () => {
  await Promise.all([sshd?.stop(), other?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const freshFile = () => path.join(dir, `known_hosts_${counter++}`);
const options = (server, hostKey, port = server.port) => ({
  host: '127.0.0.1', port, username: server.user, privateKeyPath: server.keys.ed25519, hostKey,
});
const lines = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
const findHost = (file, port) => spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${port}`, '-f', file], { encoding: 'utf8' });

/**
 * A TCP relay on 127.0.0.1 whose target can be switched (or alternate per accepted connection):
 * the same host:port is then served by another server with other host keys, as when a host is
 * replaced (or impersonated).
 */
async function startRelay(targetPort) {
  const relay = { target: targetPort, targets: undefined, accepted: 0, sockets: new Set() };
  relay.server = net.createServer((client) => {
    const target = relay.targets ? relay.targets[relay.accepted++ % relay.targets.length] : relay.target;
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      relay.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => relay.sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
  relay.port = relay.server.address().port;
  relay.stop = () => new Promise((resolve) => {
    for (const s of relay.sockets) s.destroy();
    relay.server.close(resolve);
  });
  return relay;
}

describe('accept-new records new hosts', () => {
  it('a first connection records exactly one line that ssh-keygen -F finds; a second adds none', async () => {
    const file = freshFile();
    const conn = await connect(options(sshd, { knownHosts: file }));
    await conn.close();
    assert.equal(lines(file).length, 1);
    assert.equal(findHost(file, sshd.port).status, 0);
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
    const again = await connect(options(sshd, { knownHosts: file }));
    await again.close();
    assert.equal(lines(file).length, 1);
    // Now known: strict accepts it.
    const strict = await connect(options(sshd, { policy: 'strict', knownHosts: file }));
    await strict.close();
  });

  it('20 parallel first connections record one line', async () => {
    const file = freshFile();
    const conns = await Promise.all(Array.from({ length: 20 }, () => connect(options(sshd, { knownHosts: file }))));
    await Promise.all(conns.map((c) => c.close()));
    assert.equal(lines(file).length, 1, fs.readFileSync(file, 'utf8'));
    assert.equal(findHost(file, sshd.port).status, 0);
  });

  it('two processes connecting in parallel record one line (the lock file is shared)', async () => {
    const file = freshFile();
    const script = `
      import { connect } from ${JSON.stringify(path.join(root, 'dist', 'index.js'))};
      const conns = await Promise.all(Array.from({ length: 8 }, () => connect(${JSON.stringify(options(sshd, { knownHosts: file }))})));
      await Promise.all(conns.map((c) => c.close()));
    `;
    const run = () => new Promise((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve()));
    });
    await Promise.all([run(), run()]);
    assert.equal(lines(file).length, 1, fs.readFileSync(file, 'utf8'));
    assert.equal(fs.existsSync(`${file}.lock`), false);
  });

  it('a server with a changed key is then refused (HOST_KEY_MISMATCH naming the file and line)', async () => {
    const file = freshFile();
    const relay = await startRelay(sshd.port);
    try {
      const first = await connect(options(sshd, { knownHosts: file }, relay.port));
      await first.close();
      relay.target = other.port;
      await assert.rejects(connect(options(other, { knownHosts: file }, relay.port)), (error) => {
        assert.ok(error instanceof SshError);
        assert.equal(error.code, 'HOST_KEY_MISMATCH');
        assert.match(error.message, new RegExp(`${file.replaceAll('/', '\\/')} line 1 records another key`));
        return true;
      });
      assert.equal(lines(file).length, 1);
    } finally {
      await relay.stop();
    }
  });

  it('parallel first connections that meet two different keys: one key is recorded, the other refused', async () => {
    const file = freshFile();
    // Both servers take sshd's client key, so only the host key tells them apart.
    fs.appendFileSync(path.join(other.dir, 'authorized_keys'), fs.readFileSync(`${sshd.keys.ed25519}.pub`));
    const relay = await startRelay(sshd.port);
    relay.targets = [sshd.port, other.port]; // accepted connections alternate between the two
    try {
      const attempts = Array.from({ length: 10 }, () => connect(options(sshd, { knownHosts: file }, relay.port))
        .then((value) => ({ status: 'fulfilled', value }), (reason) => ({ status: 'rejected', reason })));
      const results = await Promise.all(attempts);
      const recorded = lines(file);
      assert.equal(recorded.length, 1, recorded.join('\n'));
      const winner = recorded[0].split(' ').slice(1).join(' ');
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(fulfilled.length, 5);
      assert.equal(refused.length, 5);
      for (const r of refused) assert.equal(r.reason.code, 'HOST_KEY_MISMATCH', r.reason.message);
      // Every accepted connection saw the recorded key.
      for (const r of fulfilled) {
        assert.ok(winner.startsWith(`${r.value.hostKey.type} `));
        await r.value.close();
      }
      const winnerServer = [sshd, other].find((s) => s.hostKeyFingerprints.ED25519 === fulfilled[0].value.hostKey.fingerprint);
      assert.ok(winnerServer !== undefined);
    } finally {
      await relay.stop();
    }
  });

  it('hashKnownHosts records the host hashed (|1|salt|hash), which ssh-keygen -F finds', async () => {
    const file = freshFile();
    const conn = await connect(options(sshd, { knownHosts: file, hashKnownHosts: true }));
    await conn.close();
    const [line] = lines(file);
    assert.match(line, /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    assert.doesNotMatch(line, /127\.0\.0\.1/);
    assert.equal(findHost(file, sshd.port).status, 0);
    // OPI's spelling: hash_known_hosts.
    const opiFile = freshFile();
    const r = await ExecuteCommand(GetConnectionConfiguration({ ...GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, sshd.keys.ed25519), known_hosts: opiFile, hash_known_hosts: true }), 'true');
    assert.equal(r.result, true, r.error);
    assert.match(lines(opiFile)[0], /^\|1\|/);
  });

  it('a file without a final newline gets one before the new line', async () => {
    const file = freshFile();
    fs.writeFileSync(file, '# a comment with no newline');
    const conn = await connect(options(sshd, { knownHosts: file }));
    await conn.close();
    assert.deepEqual(lines(file).length, 2);
    assert.equal(findHost(file, sshd.port).status, 0);
  });

  it('the default file: ~/.ssh (0700) and ~/.ssh/known_hosts (0600) are created when missing', async () => {
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const script = `
      import { connect } from ${JSON.stringify(path.join(root, 'dist', 'index.js'))};
      const conn = await connect(${JSON.stringify({ ...options(sshd, undefined), hostKey: undefined })});
      await conn.close();
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, HOME: home }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, result.stderr);
    const sshDir = path.join(home, '.ssh');
    assert.equal((fs.statSync(sshDir).mode & 0o777).toString(8), '700');
    const file = path.join(sshDir, 'known_hosts');
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
    assert.equal(lines(file).length, 1);
    assert.equal(findHost(file, sshd.port).status, 0);
  });

  it('a file that cannot be written: the connection goes on, and one warning says why', async () => {
    const notADir = path.join(dir, `plain_${counter++}`);
    fs.writeFileSync(notADir, '');
    const file = path.join(notADir, 'known_hosts'); // its "directory" is a file: ENOTDIR
    const warnings = [];
    const onWarning = (w) => { if (w.code === 'NATIVE_SSH_KNOWN_HOSTS') warnings.push(w.message); };
    process.on('warning', onWarning);
    const debugLines = [];
    try {
      for (let i = 0; i < 2; i++) {
        const conn = await connect({ ...options(sshd, { knownHosts: file }), debug: (l) => debugLines.push(l) });
        assert.equal((await conn.exec('echo ok')).stdout, 'ok\n');
        await conn.close();
      }
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /could not record the new host in .*known_hosts: ENOTDIR/);
    assert.equal(debugLines.filter((l) => /could not record the new host/.test(l)).length, 2);
  });

  it('/dev/null as known_hosts records nothing and warns nothing', async () => {
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const conn = await connect(options(sshd, { knownHosts: '/dev/null' }));
      await conn.close();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.equal(warnings.length, 0);
  });

  it('a verify callback that refuses a new host keeps it out of the file', async () => {
    const file = freshFile();
    await assert.rejects(connect(options(sshd, { knownHosts: file, verify: () => false })), (e) => e.code === 'HOST_KEY_MISMATCH');
    assert.equal(fs.existsSync(file) ? lines(file).length : 0, 0);
  });

  it('hashKnownHosts must be a boolean', async () => {
    await assert.rejects(connect(options(sshd, { hashKnownHosts: 'yes' })), /Settings error: hostKey\.hashKnownHosts must be true or false/);
  });
});
