// Connecting and logging in against real OpenSSH servers started by the test: every login method
// (key files and text, passwords, keyboard-interactive through PAM, ssh-agent), what a failed
// connect or login says, and the connection objects.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  GetSettingsViaAgent,
  IsConnector,
  SshError,
  versions,
} from '../../dist/index.js';
import { startAgent } from '../fixtures/agent.mjs';
import { startRefusingPort, startSilentServer } from '../fixtures/proxies.mjs';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';

// Logins and connection failures against a real OpenSSH sshd started by the test.
describe('logins and connection failures (OpenSSH)', () => {
  let sshd;
  before(async () => { sshd = await startSshd(); });
  after(async () => { await sshd?.stop(); });

  async function whoamiWith(settings) {
    return ExecuteCommand(GetConnectionConfiguration(settings), 'whoami');
  }

  describe('logins against OpenSSH', () => {
    it('password', { skip: !canUsePassword && 'needs root for a password account' }, async () => {
      const result = await whoamiWith(GetSettingsLoginPassword(sshd.host, sshd.port, sshd.user, sshd.password));
      assert.deepEqual(result, { result: true, exit_code: '0', stdout: sshd.user, stderr: '', close_connection: { result: true } });
    });
    it('Ed25519 key file', async () => {
      const result = await whoamiWith(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519));
      assert.equal(result.stdout, sshd.user);
    });
    it('ECDSA key file with a passphrase', async () => {
      const result = await whoamiWith(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ecdsa, '', sshd.keys.ecdsaPassphrase));
      assert.equal(result.stdout, sshd.user);
    });
    it('ECDSA key with a wrong passphrase fails as KEY_INVALID', async () => {
      const result = await whoamiWith(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ecdsa, '', 'wrong-passphrase-xyz'));
      assert.equal(result.result, false);
      assert.equal(result.code, 'KEY_INVALID');
      assert.match(result.error, /^Auth error: wrong passphrase for the key \(key_path ".*id_ecdsa": /);
      assert.doesNotMatch(JSON.stringify(result), /wrong-passphrase-xyz/);
    });
    it('RSA 3072 key in PEM form (signs with rsa-sha2, accepted by OpenSSH 8.8+)', async () => {
      assert.match(fs.readFileSync(sshd.keys.rsa, 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----/);
      const result = await whoamiWith(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.rsa));
      assert.equal(result.stdout, sshd.user);
    });
    it('the key passed as text, with the public key as text', async () => {
      const text = fs.readFileSync(sshd.keys.ed25519, 'utf8');
      const pub = fs.readFileSync(`${sshd.keys.ed25519}.pub`, 'utf8');
      const result = await whoamiWith(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, text, pub));
      assert.equal(result.stdout, sshd.user);
    });
    it('the idiomatic client with a key Buffer', async () => {
      const conn = await connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: fs.readFileSync(sshd.keys.ed25519) });
      try {
        const r = await conn.exec('whoami');
        assert.deepEqual(r, { stdout: `${sshd.user}\n`, stderr: '', exitCode: 0, signal: null });
        assert.match(conn.hostKey.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
        assert.ok(Object.values(sshd.hostKeyFingerprints).includes(conn.hostKey.fingerprint));
        assert.notEqual(conn.algorithms.kex, '');
      } finally {
        await conn.close();
      }
    });
    it('a wrong password resolves to AUTH_FAILED without the password in it', { skip: !canUsePassword && 'needs root' }, async () => {
      const secret = 'not-the-password-7f3a';
      const result = await whoamiWith(GetSettingsLoginPassword(sshd.host, sshd.port, sshd.user, secret));
      assert.equal(result.result, false);
      assert.equal(result.code, 'AUTH_FAILED');
      assert.match(result.error, /^Auth error: /);
      assert.doesNotMatch(JSON.stringify(result), new RegExp(secret));
    });
    it('an unauthorised key is refused with AUTH_FAILED, and the idiomatic client rejects with SshError', async () => {
      const other = await startSshd({ authorize: ['rsa'] });
      try {
        await assert.rejects(
          connect({ host: other.host, port: other.port, username: other.user, privateKeyPath: other.keys.ed25519 }),
          (error) => error instanceof SshError && error.code === 'AUTH_FAILED' && error.level === 'auth',
        );
      } finally {
        await other.stop();
      }
    });
  });

  describe('connection failures', () => {
    it('a refused port fails at once with a TCP error', async () => {
      const { port } = await startRefusingPort();
      const started = Date.now();
      const result = await CreateConnection(GetSettingsPrivateKey('127.0.0.1', port, 'u', sshd.keys.ed25519));
      assert.equal(result.result, false);
      assert.equal(result.code, 'CONNECT_FAILED');
      assert.match(result.error, /^TCP error: Direct connection error: Connection refused/);
      assert.ok(Date.now() - started < 2000, 'a refused connection must not wait');
    });
    it('a server that never speaks fails with TIMEOUT after connect_timeout', async () => {
      const silent = await startSilentServer();
      try {
        const settings = { ...GetSettingsPrivateKey('127.0.0.1', silent.port, 'u', sshd.keys.ed25519), connect_timeout: 1 };
        const started = Date.now();
        const result = await CreateConnection(settings);
        const elapsed = Date.now() - started;
        assert.equal(result.code, 'TIMEOUT');
        assert.match(result.error, /^Timeout error: .*within 1 s \(stage: SSH handshake\)/);
        assert.ok(elapsed >= 900 && elapsed < 5000, `took ${elapsed} ms`);
      } finally {
        await silent.stop();
      }
    });
    it('a failed algorithm negotiation says which side offered what', async () => {
      const pq = await startSshd({ config: ['KexAlgorithms sntrup761x25519-sha512@openssh.com'] });
      try {
        const result = await CreateConnection({ ...GetSettingsPrivateKey('127.0.0.1', pq.port, pq.user, pq.keys.ed25519), host_key_policy: 'off' });
        assert.equal(result.code, 'HANDSHAKE_FAILED');
        assert.match(result.error, /^Handshake error: .*no common key exchange: we offer curve25519-sha256,.*; the server offers sntrup761x25519-sha512@openssh\.com/);
      } finally {
        await pq.stop();
      }
    });
    it('a host name that does not resolve fails with DNS_FAILED', async () => {
      const result = await CreateConnection(GetSettingsPrivateKey('no-such-host.invalid', 22, 'u', sshd.keys.ed25519));
      assert.equal(result.code, 'DNS_FAILED');
      assert.match(result.error, /^TCP error: /);
    });
    it('a host name is resolved (localhost)', async () => {
      const result = await whoamiWith(GetSettingsPrivateKey('localhost', sshd.port, sshd.user, sshd.keys.ed25519));
      assert.equal(result.stdout, sshd.user);
    });
  });

  describe('connection objects', () => {
    it('CreateConnection returns a connector; CloseConnection gives {result: true}; later commands give NOT_CONNECTED', async () => {
      const conn = await CreateConnection(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519));
      assert.equal(IsConnector(conn), true);
      assert.equal(await CreateConnection(conn), conn);
      assert.deepEqual(await CloseConnection(conn), { result: true });
      assert.deepEqual(await CloseConnection(conn), { result: true });
      const result = await ExecuteCommand(conn, 'whoami');
      assert.equal(result.result, false);
      assert.equal(result.code, 'NOT_CONNECTED');
      assert.equal(IsConnector(conn), true);
    });
    it('versions() names libssh2 1.11.1 and the OpenSSL 3 serving the calls', () => {
      const v = versions();
      assert.equal(v.libssh2, '1.11.1');
      assert.match(v.openssl, /^OpenSSL 3\./);
      assert.match(v.addon, /^\d+\.\d+\.\d+/);
    });
    it('the crypto runs on the system OpenSSL (loaded with RTLD_DEEPBIND), not Node\'s bundled copy', { skip: process.env.NATIVE_SSH_NO_DEEPBIND === '1' && 'sanitizer run' }, () => {
      // Versions can coincide (Debian 12's libssl3 3.0.19 and Node 20.20's bundled 3.0.19 print the
      // same text), the configured directories do not: Debian's is /usr/lib/ssl, Node's /etc/ssl.
      const v = versions();
      assert.match(v.opensslDir, /"\/usr\/lib\/ssl"/);
      // The libcrypto.so.3 mapped into this process is the one the loader found (the system's, or one
      // on LD_LIBRARY_PATH: scripts/platforms/ runs this against Debian 13's OpenSSL 3.5), and the
      // version text the engine reports is that file's.
      const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n')
        .map((line) => line.slice(line.indexOf('/')))
        .filter((file) => file.startsWith('/') && file.endsWith('/libcrypto.so.3')))];
      assert.equal(mapped.length, 1, `one libcrypto.so.3 mapped: ${mapped.join(', ')}`);
      const system = fs.readFileSync(mapped[0], 'latin1');
      assert.ok(system.includes(v.openssl), `${v.openssl} is ${mapped[0]}'s version text`);
    });
  });
});

// Every login method against real servers: keyboard-interactive through PAM, ssh-agent with
// several identities, password falling back to keyboard-interactive.
describe('keyboard-interactive and ssh-agent logins (PAM sshd)', () => {
  const needsRoot = !canUsePassword && 'needs root (PAM password account)';
  let pam;       // PAM: keyboard-interactive and public keys
  let kiOnly;    // keyboard-interactive only
  before(async () => {
    [pam, kiOnly] = await Promise.all([
      startSshd({ config: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no'] }),
      startSshd({ config: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no', 'PubkeyAuthentication no'] }),
    ]);
  });
  after(async () => {
    await Promise.all([pam?.stop(), kiOnly?.stop()]);
  });

  const whoami = (settings) => ExecuteCommand(GetConnectionConfiguration(settings), 'whoami');

  describe('keyboard-interactive', { skip: needsRoot }, () => {
    it('logs in answering sshd\'s PAM prompts', async () => {
      const r = await whoami(GetSettingsKI('127.0.0.1', pam.port, pam.user, [pam.password]));
      assert.equal(r.stdout, pam.user);
    });
    it('a wrong answer gives AUTH_FAILED', async () => {
      const r = await whoami(GetSettingsKI('127.0.0.1', kiOnly.port, kiOnly.user, ['not-the-answer']));
      assert.equal(r.result, false);
      assert.equal(r.code, 'AUTH_FAILED');
      assert.match(r.error, /^Auth error: /);
    });
    it('the idiomatic client with keyboard answers', async () => {
      const conn = await connect({ host: '127.0.0.1', port: kiOnly.port, username: kiOnly.user, keyboard: [kiOnly.password] });
      assert.equal((await conn.exec('whoami')).stdout, `${kiOnly.user}\n`);
      await conn.close();
    });
  });

  describe('password falls back to keyboard-interactive', { skip: needsRoot }, () => {
    it('password settings log in to the keyboard-interactive-only sshd', async () => {
      const r = await whoami(GetSettingsLoginPassword('127.0.0.1', kiOnly.port, kiOnly.user, kiOnly.password));
      assert.equal(r.stdout, kiOnly.user);
    });
  });

  describe('ssh-agent', () => {
    let agent;
    let stray;
    before(async () => {
      // An identity the server does not accept comes first; the authorised one second.
      stray = path.join(pam.dir, 'stray_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stray]);
      agent = await startAgent([stray, pam.keys.ed25519]);
    });
    after(async () => { await agent?.stop(); });

    it('tries every identity until one is accepted', async () => {
      const saved = process.env.SSH_AUTH_SOCK;
      process.env.SSH_AUTH_SOCK = agent.socket;
      try {
        const r = await whoami(GetSettingsViaAgent('127.0.0.1', pam.port, pam.user));
        assert.equal(r.stdout, pam.user);
      } finally {
        if (saved === undefined) delete process.env.SSH_AUTH_SOCK; else process.env.SSH_AUTH_SOCK = saved;
      }
    });
    it('the idiomatic client takes the socket path', async () => {
      const conn = await connect({ host: '127.0.0.1', port: pam.port, username: pam.user, agent: agent.socket });
      assert.equal((await conn.exec('whoami')).stdout, `${pam.user}\n`);
      await conn.close();
    });
    it('an agent none of whose identities is accepted gives AUTH_FAILED', async () => {
      const lonely = await startAgent([stray]);
      try {
        await assert.rejects(connect({ host: '127.0.0.1', port: pam.port, username: pam.user, agent: lonely.socket }),
          (error) => error instanceof SshError && error.code === 'AUTH_FAILED' && /none of the agent's 1 identities/.test(error.message));
      } finally {
        await lonely.stop();
      }
    });
    it('with no agent, a clear error', async () => {
      const saved = process.env.SSH_AUTH_SOCK;
      delete process.env.SSH_AUTH_SOCK;
      try {
        const r = await whoami(GetSettingsViaAgent('127.0.0.1', pam.port, pam.user));
        assert.equal(r.code, 'AGENT_FAILED');
        assert.match(r.error, /^Auth error: no ssh-agent: SSH_AUTH_SOCK is not set$/);
        const gone = await connect({ host: '127.0.0.1', port: pam.port, username: pam.user, agent: '/nonexistent/agent.sock' }).catch((e) => e);
        assert.equal(gone.code, 'AGENT_FAILED');
        assert.match(gone.message, /cannot reach the ssh-agent/);
      } finally {
        if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
      }
    });
  });
});

