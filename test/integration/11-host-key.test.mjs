// Host-key checking the OpenSSH way: known_hosts (plain, hashed, [host]:port), strict /
// accept-new / off, fingerprint pins, a verify callback.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { connect, CreateConnection, ExecuteCommand, GetConnectionConfiguration, GetSettingsPrivateKey, SshError } from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';

let sshd;
let other;
let dir;
let scanned;
before(async () => {
  [sshd, other] = await Promise.all([startSshd(), startSshd()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-kh-'));
  scanned = execFileSync('ssh-keyscan', ['-p', String(sshd.port), '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  assert.match(scanned, /^\[127\.0\.0\.1\]:\d+ ssh-ed25519 /m);
});
after(async () => {
  await Promise.all([sshd?.stop(), other?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function file(text) {
  const name = path.join(dir, `known_hosts_${counter++}`);
  if (text !== undefined) fs.writeFileSync(name, text);
  return name;
}
const settings = (extra) => ({ ...GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, sshd.keys.ed25519), ...extra });
const whoami = (extra) => ExecuteCommand(GetConnectionConfiguration(settings(extra)), 'whoami');

describe('known_hosts policies', () => {
  it('strict, with the server in known_hosts ([127.0.0.1]:port entries from ssh-keyscan), connects', async () => {
    const r = await whoami({ host_key_policy: 'strict', known_hosts: file(scanned) });
    assert.equal(r.stdout, sshd.user);
  });
  it('strict, with only the Ed25519 key recorded, negotiates that key type and connects', async () => {
    const ed = scanned.split('\n').filter((l) => l.includes(' ssh-ed25519 ')).join('\n');
    const conn = await connect({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { policy: 'strict', knownHosts: file(`${ed}\n`) } });
    assert.equal(conn.hostKey.type, 'ssh-ed25519');
    assert.equal(conn.hostKey.fingerprint, sshd.hostKeyFingerprints.ED25519);
    await conn.close();
  });
  it('strict, with an empty file, gives HOST_KEY_UNKNOWN naming the fingerprint', async () => {
    const r = await whoami({ host_key_policy: 'strict', known_hosts: file('') });
    assert.equal(r.result, false);
    assert.equal(r.code, 'HOST_KEY_UNKNOWN');
    assert.match(r.error, /^Host key error: .*SHA256:[A-Za-z0-9+/]{43}.*not in .*known_hosts/);
  });
  it('an entry with another key gives HOST_KEY_MISMATCH in strict and accept-new, and connects with off', async () => {
    const otherScan = execFileSync('ssh-keyscan', ['-p', String(other.port), '127.0.0.1'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const forged = file(otherScan.replaceAll(`[127.0.0.1]:${other.port}`, `[127.0.0.1]:${sshd.port}`));
    for (const policy of ['strict', 'accept-new']) {
      const r = await whoami({ host_key_policy: policy, known_hosts: forged });
      assert.equal(r.code, 'HOST_KEY_MISMATCH', policy);
      assert.match(r.error, /^Host key error: .*possible man-in-the-middle/);
    }
    const off = await whoami({ host_key_policy: 'off', known_hosts: forged });
    assert.equal(off.stdout, sshd.user);
  });
  it('hashed entries (ssh-keygen -H) match', async () => {
    const hashed = file(scanned);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    assert.match(fs.readFileSync(hashed, 'utf8'), /^\|1\|/m);
    const r = await whoami({ host_key_policy: 'strict', known_hosts: hashed });
    assert.equal(r.stdout, sshd.user);
  });
  it('accept-new with an explicit file appends a line that ssh-keygen -F finds', async () => {
    const fresh = file();
    const r = await whoami({ host_key_policy: 'accept-new', known_hosts: fresh });
    assert.equal(r.stdout, sshd.user);
    const found = spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', fresh]);
    assert.equal(found.status, 0, found.stderr.toString());
    assert.equal(fs.readFileSync(fresh, 'utf8').trim().split('\n').length, 1);
    // Now known: strict accepts, and a second accept-new does not add another line.
    assert.equal((await whoami({ host_key_policy: 'strict', known_hosts: fresh })).stdout, sshd.user);
    await whoami({ host_key_policy: 'accept-new', known_hosts: fresh });
    assert.equal(fs.readFileSync(fresh, 'utf8').trim().split('\n').length, 1);
  });
  it('unsupported markers are skipped with a reason the connection reports', async () => {
    const conn = await connect({
      host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519,
      hostKey: { policy: 'strict', knownHosts: file(`@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n${scanned}`) },
    });
    assert.ok(conn.knownHostsNotes.some((n) => /line 1: @cert-authority entries are not supported/.test(n)), conn.knownHostsNotes.join('\n'));
    await conn.close();
  });
});

describe('fingerprint pins and the verify callback', () => {
  it('a wrong pin gives HOST_KEY_MISMATCH; the right pin connects', async () => {
    const wrong = await whoami({ host_key_fingerprint: other.hostKeyFingerprints.ED25519 });
    assert.equal(wrong.code, 'HOST_KEY_MISMATCH');
    assert.match(wrong.error, /not the pinned SHA256:/);
    const conn = await CreateConnection(settings({ host_key_policy: 'off' }));
    const right = await whoami({ host_key_fingerprint: conn.hostKey.fingerprint, host_key_policy: 'strict', known_hosts: file('') });
    assert.equal(right.stdout, sshd.user);
    await conn.close();
  });
  it('a bad pin format is a Settings error', async () => {
    const r = await whoami({ host_key_fingerprint: 'MD5:aa:bb' });
    assert.equal(r.code, 'INVALID_SETTINGS');
    assert.match(r.error, /^Settings error: host_key_fingerprint /);
  });
  it('the verify callback sees the key and can refuse it', async () => {
    let seen;
    const conn = await connect({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { policy: 'off', verify: (key) => { seen = key; return true; } } });
    assert.equal(seen.fingerprint, conn.hostKey.fingerprint);
    assert.ok(Buffer.isBuffer(seen.key) && seen.key.length > 32);
    assert.equal(seen.port, sshd.port);
    await conn.close();
    await assert.rejects(
      connect({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { verify: async () => false } }),
      (error) => error instanceof SshError && error.code === 'HOST_KEY_MISMATCH' && error.level === 'host-key',
    );
  });
});

describe('host key algorithm order (OpenSSH\'s)', () => {
  it('a changed Ed25519 key next to the right ECDSA key is refused, as OpenSSH refuses it (Ed25519 is asked for first)', async () => {
    const keyDir = fs.mkdtempSync(path.join(dir, 'forged-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(keyDir, 'k')]);
    const forgedEd = fs.readFileSync(path.join(keyDir, 'k.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const ecdsa = scanned.split('\n').filter((l) => / ecdsa-sha2-nistp256 /.test(l));
    assert.equal(ecdsa.length, 1, 'ssh-keyscan found the ECDSA key');
    const knownHosts = file(`${ecdsa[0]}\n[127.0.0.1]:${sshd.port} ${forgedEd}\n`);
    for (const policy of ['strict', 'accept-new']) {
      const r = await whoami({ host_key_policy: policy, known_hosts: knownHosts });
      assert.equal(r.code, 'HOST_KEY_MISMATCH', `${policy}: ${r.error}`);
      assert.match(r.error, /ssh-ed25519/);
    }
    // OpenSSH's own client refuses the same file.
    const ssh = spawnSync('ssh', ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'GlobalKnownHostsFile=/dev/null', '-p', String(sshd.port), '-i', sshd.keys.ed25519, `${sshd.user}@127.0.0.1`, 'true'], { encoding: 'utf8', timeout: 20_000 });
    assert.notEqual(ssh.status, 0);
    assert.match(ssh.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
  });
  it('with nothing recorded, the defaults are OpenSSH\'s: Ed25519 first, no ssh-rsa, no SHA-1 key exchange, no CBC or MD5', async () => {
    const conn = await connect({ host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { policy: 'off' } });
    try {
      assert.equal(conn.hostKey.type, 'ssh-ed25519');
      assert.doesNotMatch(conn.algorithms.kex, /sha1|group1/);
      assert.doesNotMatch(conn.algorithms.cipherCs ?? JSON.stringify(conn.algorithms), /cbc/);
    } finally {
      await conn.close();
    }
    // A legacy algorithm stays available when named.
    const legacy = await whoami({ host_key_policy: 'off', kex_algorithms: 'diffie-hellman-group14-sha1,curve25519-sha256' });
    assert.equal(legacy.result, true, legacy.error);
  });
});
