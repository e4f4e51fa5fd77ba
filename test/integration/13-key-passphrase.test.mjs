// A wrong passphrase for a key of each format libssh2 reads (OpenSSH Ed25519, PEM and PKCS#8 RSA,
// the fixture's ECDSA key) is told apart from a refused key, against sshd. The checks of key
// files that need no server are in test/unit/options.test.mjs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { connect, ExecuteCommand, GetConnectionConfiguration, GetSettingsPrivateKey } from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';
import { rejection } from '../fixtures/rejection.mjs';

describe('a wrong passphrase says so (keys made by the test)', () => {
  const PASSPHRASE = 'right-passphrase-71c3';
  let sshd;
  let tmp;
  before(async () => {
    sshd = await startSshd();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-passphrase-'));
    const keygen = (...args) => execFileSync('ssh-keygen', ['-q', ...args]);
    keygen('-t', 'ed25519', '-N', PASSPHRASE, '-f', path.join(tmp, 'enc'));
    keygen('-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', PASSPHRASE, '-f', path.join(tmp, 'rsa-pem'));
    keygen('-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', PASSPHRASE, '-f', path.join(tmp, 'rsa-pkcs8'));
  });
  after(async () => {
    await sshd?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });
  const login = (options) => connect({ host: sshd.host, port: sshd.port, username: sshd.user, connectTimeout: 10000, ...options });
  // libssh2 says -48 (LIBSSH2_ERROR_KEYFILE_AUTH_FAILED) or -16 (LIBSSH2_ERROR_FILE) for the same
  // mistake, depending on which of its loaders gave up last and on OpenSSL's error queue.
  for (const [name, key] of [['OpenSSH Ed25519', 'enc'], ['PEM RSA', 'rsa-pem'], ['PKCS#8 RSA', 'rsa-pkcs8']]) {
    it(name, async () => {
      const error = await rejection(login({ privateKeyPath: path.join(tmp, key), passphrase: 'wrong-passphrase-5e0a' }));
      assert.equal(error.code, 'KEY_INVALID');
      assert.ok(error.errno === -48 || error.errno === -16, String(error.errno));
      assert.equal(error.message, `Auth error: wrong passphrase for the key (privateKeyPath "${tmp}/${key}": libssh2 could not decrypt it, libssh2 error ${error.errno})`);
      assert.ok(!error.message.includes('wrong-passphrase-5e0a'));
      // With the right passphrase the key decrypts: the server then refuses it (not authorised).
      const refused = await rejection(login({ privateKeyPath: path.join(tmp, key), passphrase: PASSPHRASE }));
      assert.equal(refused.code, 'AUTH_FAILED', refused.message);
    });
  }
  it("the fixture's ECDSA key, OPI settings", async () => {
    const result = await ExecuteCommand(GetConnectionConfiguration(GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ecdsa, '', 'wrong-passphrase-5e0a')), 'true');
    assert.equal(result.code, 'KEY_INVALID');
    assert.match(result.error, /^Auth error: wrong passphrase for the key \(key_path ".*id_ecdsa": libssh2 could not decrypt it, libssh2 error -(16|48)\)$/);
  });
});
