// Client-side algorithm choice: every cipher family x every key exchange that libssh2 1.11.1 and
// OpenSSH 9.2 share, forced from the client against one sshd, each moving 10 MB each way intact.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { connect, CreateConnection, GetSettingsPrivateKey } from '../dist/index.js';
import { startSshd } from './fixtures/sshd.mjs';

const CIPHERS = ['aes128-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com'];
const KEX = ['curve25519-sha256', 'ecdh-sha2-nistp256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group16-sha512'];

let sshd;
before(async () => {
  sshd = await startSshd({ config: [`Ciphers ${CIPHERS.join(',')}`, `KexAlgorithms ${KEX.join(',')}`, 'MaxStartups 100:30:200'] });
});
after(async () => { await sshd?.stop(); });

describe('the cipher x key exchange matrix, forced by the client', () => {
  const data = crypto.randomBytes(10 * 1024 * 1024);
  const digest = crypto.createHash('sha256').update(data).digest('hex');
  for (const kex of KEX) {
    it(`${kex} with every cipher: connects, reports it, 10 MB each way intact`, async () => {
      const rows = await Promise.all(CIPHERS.map(async (cipher) => {
        const conn = await connect({
          host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519,
          hostKey: { policy: 'off' }, algorithms: { kex: [kex], cipher: [cipher] },
        });
        try {
          assert.equal(conn.algorithms.kex, kex);
          assert.equal(conn.algorithms.cipherClientToServer, cipher);
          assert.equal(conn.algorithms.cipherServerToClient, cipher);
          const up = await conn.exec('sha256sum', { stdin: data });
          assert.equal(up.stdout.split(' ')[0], digest, 'upload intact');
          const down = await conn.exec('head -c 10485760 /dev/urandom | tee /tmp/nssh-alg-$$ ; sha256sum < /tmp/nssh-alg-$$ >&2; rm -f /tmp/nssh-alg-$$', { encoding: 'buffer' });
          assert.equal(down.stdout.length, 10485760);
          assert.equal(crypto.createHash('sha256').update(down.stdout).digest('hex'), down.stderr.toString().split(' ')[0], 'download intact');
          return `${kex} | ${cipher} | MAC ${conn.algorithms.macServerToClient} | host key ${conn.algorithms.hostKey}`;
        } finally {
          await conn.close();
        }
      }));
      for (const row of rows) console.log(`# negotiated: ${row}`);
    });
  }
});

describe('algorithm options', () => {
  it('a name libssh2 does not know is a Settings error naming the field and listing what is supported', async () => {
    const r = await CreateConnection({ ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), ciphers: ['rot13'] });
    assert.equal(r.code, 'INVALID_SETTINGS');
    assert.match(r.error, /^Settings error: algorithms\.cipher names 'rot13' that libssh2 does not support \(supported: .*aes128-ctr/);
  });
  it('an unknown key exchange name is a Settings error too, even beside a known one', async () => {
    for (const kex of ['nonsense-kex', 'curve25519-sha256,nonsense-kex', 'ext-info-c']) {
      const r = await CreateConnection({ ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), kex_algorithms: kex });
      assert.equal(r.code, 'INVALID_SETTINGS', kex);
      assert.match(r.error, /^Settings error: algorithms\.kex names '(nonsense-kex|ext-info-c)' that libssh2 does not support \(supported: .*curve25519-sha256/);
      assert.doesNotMatch(r.error.replace(/^[^(]*/, ''), /ext-info-c|kex-strict/);
    }
  });
  it('a malformed list is a Settings error before any network work', async () => {
    const r = await CreateConnection({ ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), kex_algorithms: 42 });
    assert.match(r.error, /^Settings error: kex_algorithms /);
  });
  it('a choice the server does not share fails the handshake, saying what each side offered', async () => {
    const r = await CreateConnection({ ...GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519), host_key_policy: 'off', ciphers: 'aes192-cbc' });
    assert.equal(r.code, 'HANDSHAKE_FAILED');
    assert.match(r.error, /no common cipher \(client to server\): we offer aes192-cbc; the server offers aes128-ctr,/);
  });
});
