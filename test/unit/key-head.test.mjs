// The private key's header is read from the Buffer without turning the key's body into a string
// (lib/keys.ts): each form a key file takes is still told apart, with a byte order mark, leading
// blank lines or CRLF line ends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';

import { keyFacts } from '../../dist/keys.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-keyhead-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const keygen = (name, args) => {
  execFileSync('ssh-keygen', ['-q', ...args, '-C', '', '-f', path.join(dir, name)]);
  return fs.readFileSync(path.join(dir, name));
};
const crlf = (buffer) => Buffer.from(buffer.toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
const withBom = (buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n  \n'), buffer]);

it('OpenSSH keys: plain and encrypted (with the cipher), as they are, with CRLF, after a BOM and blank lines', () => {
  const plain = keygen('plain', ['-t', 'ed25519', '-N', '']);
  const encrypted = keygen('enc', ['-t', 'ed25519', '-N', 'a passphrase']);
  for (const form of [(b) => b, crlf, withBom, (b) => withBom(crlf(b))]) {
    assert.deepEqual(keyFacts(form(plain)), { format: 'openssh', encrypted: false });
    assert.deepEqual(keyFacts(form(encrypted)), { format: 'openssh', encrypted: true, cipher: 'aes256-ctr' });
  }
});

it('PEM keys: the Proc-Type header tells an encrypted one; a header-like text in the body does not count', () => {
  const plain = keygen('pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '']);
  const encrypted = keygen('pem-enc', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'a passphrase']);
  assert.match(encrypted.toString('latin1'), /^Proc-Type: 4,ENCRYPTED/m);
  for (const form of [(b) => b, crlf, withBom]) {
    assert.deepEqual(keyFacts(form(plain)), { format: 'pem', encrypted: false });
    assert.deepEqual(keyFacts(form(encrypted)), { format: 'pem', encrypted: true });
  }
  const lines = plain.toString('latin1').split('\n');
  lines.splice(3, 0, 'Proc-Type: 4,ENCRYPTED'); // inside the body: not a header
  assert.deepEqual(keyFacts(Buffer.from(lines.join('\n'), 'latin1')), { format: 'pem', encrypted: false });
});

it('PKCS#8 encrypted keys and anything else', () => {
  assert.deepEqual(keyFacts(Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n')), { format: 'pkcs8', encrypted: true });
  assert.deepEqual(keyFacts(Buffer.from('not a key at all')), { format: 'unknown', encrypted: false });
  assert.deepEqual(keyFacts(Buffer.alloc(0)), { format: 'unknown', encrypted: false });
});
