// applySshConfig (lib/ssh-config-connect.ts): connect()'s options with the OpenSSH client config
// applied, without a server. Each keyword's mapping and that an explicit option always wins; the
// login the config gives; the debug lines (files, ignored keywords, ServerAliveCountMax); what is
// refused (ProxyJump, HostKeyAlias, KnownHostsCommand); the deadline the read runs in. The
// connects themselves are in test/integration/16-ssh-config.test.mjs.
import '../fixtures/home.mjs';

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { applySshConfig } from '../../dist/ssh-config-connect.js';

delete process.env.SSH_AUTH_SOCK;

let dir;
let key;
let counter = 0;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-sshconfig-unit-'));
  key = path.join(dir, 'id_test');
  fs.writeFileSync(key, 'not parsed here\n', { mode: 0o600 });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeConfig(text) {
  const file = path.join(dir, `config_${counter++}`);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

const FULL = () =>
  [
    'Host web',
    '  HostName Web.Example.NET',
    '  User deploy',
    '  Port 2202',
    `  IdentityFile ${key}`,
    '  UserKnownHostsFile /tmp/kh_web',
    '  StrictHostKeyChecking ask',
    '  ServerAliveInterval 1m',
    '  ServerAliveCountMax 5',
    '  ConnectTimeout 7',
    '  ForwardAgent yes',
    '',
  ].join('\n');

const apply = (options) => applySshConfig(options, Date.now());

describe('applySshConfig', () => {
  it('maps every keyword to its option and drops sshConfig', async () => {
    const file = writeConfig(FULL());
    const merged = await apply({ host: 'web', sshConfig: file });
    assert.deepEqual(merged, {
      host: 'web.example.net',
      port: 2202,
      username: 'deploy',
      connectTimeout: 7000,
      keepaliveInterval: 60000,
      hostKey: { policy: 'strict', knownHosts: '/tmp/kh_web' },
      privateKeyPath: key,
    });
  });

  it('explicit options always win', async () => {
    const file = writeConfig(FULL());
    const verify = () => true;
    const explicit = {
      host: 'web',
      sshConfig: file,
      port: 22,
      username: 'me',
      password: 'pw',
      connectTimeout: 1234,
      keepaliveInterval: 0,
      commandTimeout: 5,
      hostKey: { policy: 'accept-new', knownHosts: '/tmp/kh_mine', fingerprint: `SHA256:${'A'.repeat(43)}`, verify },
    };
    const merged = await apply(explicit);
    assert.deepEqual(merged, {
      host: 'web.example.net',
      port: 22,
      username: 'me',
      password: 'pw',
      connectTimeout: 1234,
      keepaliveInterval: 0,
      commandTimeout: 5,
      hostKey: { policy: 'accept-new', knownHosts: '/tmp/kh_mine', fingerprint: `SHA256:${'A'.repeat(43)}`, verify },
    });
    assert.equal(explicit.sshConfig, file, 'the caller\'s object is not changed');
  });

  it('without sshConfig (or with false) the options are returned as they are', async () => {
    const options = { host: 'h', username: 'u', password: 'p' };
    assert.equal(await apply(options), options);
    const off = { ...options, sshConfig: false };
    assert.equal(await apply(off), off);
  });

  it('a host the config does not name keeps the host, the local user and port 22', async () => {
    const merged = await apply({ host: 'Plain.Example', sshConfig: writeConfig(FULL()), password: 'p' });
    assert.deepEqual(merged, { host: 'plain.example', port: 22, username: os.userInfo().username, password: 'p', hostKey: {} });
  });

  it('debug lines: files read, each ignored keyword with file:line, ServerAliveCountMax other than 3, the login', async () => {
    const file = writeConfig(FULL());
    const lines = [];
    await apply({ host: 'web', sshConfig: file, debug: (line) => lines.push(line) });
    assert.deepEqual(lines, [
      `sshConfig web: read ${file}`,
      `sshConfig web: ignored ForwardAgent (${file}:11)`,
      'sshConfig web: ServerAliveCountMax 5 not used: native-ssh declares a server lost after 3 silent keepalive intervals',
      `sshConfig web: login: key file ${key} (IdentityFile)`,
      'sshConfig web: web is deploy@web.example.net:2202 (explicit options win over the config)',
    ]);
    const three = [];
    await apply({ host: 'x', sshConfig: writeConfig('ServerAliveCountMax 3\n'), password: 'p', debug: (line) => three.push(line) });
    assert.ok(!three.some((l) => l.includes('ServerAliveCountMax')), three.join('\n'));
  });

  it('the login: IdentitiesOnly, the agent, then key files; a passphrase or public key is for a key file', async () => {
    const file = writeConfig(`Host only\n  IdentitiesOnly yes\n  IdentityFile ${path.join(dir, 'absent')}\n  IdentityFile ${key}\nHost any\n  IdentityFile ${key}\n`);
    process.env.SSH_AUTH_SOCK = path.join(dir, 'agent.sock');
    try {
      assert.equal((await apply({ host: 'only', sshConfig: file })).privateKeyPath, key);
      assert.equal((await apply({ host: 'any', sshConfig: file })).agent, true);
      const withPassphrase = await apply({ host: 'any', sshConfig: file, passphrase: 'x' });
      assert.deepEqual([withPassphrase.agent, withPassphrase.privateKeyPath, withPassphrase.passphrase], [undefined, key, 'x']);
      // A login given is kept as it is.
      const given = await apply({ host: 'any', sshConfig: file, keyboard: ['a'] });
      assert.deepEqual([given.agent, given.privateKeyPath, given.keyboard], [undefined, undefined, ['a']]);
    } finally {
      delete process.env.SSH_AUTH_SOCK;
    }
    assert.equal((await apply({ host: 'any', sshConfig: file })).privateKeyPath, key);
    await assert.rejects(
      apply({ host: 'only', sshConfig: writeConfig(`IdentitiesOnly yes\nIdentityFile ${dir}\n`) }),
      new RegExp(`^SshError: Settings error: sshConfig gives no way to log in to only: .*; IdentitiesOnly yes leaves out ssh-agent; no IdentityFile is a readable file \\(tried "${dir}"\\)$`),
    );
  });

  it('refuses ProxyJump, HostKeyAlias and KnownHostsCommand with the file and line', async () => {
    const file = writeConfig('Host a\n  ProxyJump j1,u@j2:2\nHost b\n  HostKeyAlias other\nHost c\n  KnownHostsCommand /bin/keys %H\n');
    const at = (line) => `^SshError: Settings error: sshConfig ${JSON.stringify(file).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line ${line}: `;
    await assert.rejects(apply({ host: 'a', sshConfig: file, password: 'p' }), new RegExp(`${at(2)}ProxyJump j1,u@j2:2 needs jump hosts, which are not supported yet`));
    await assert.rejects(apply({ host: 'b', sshConfig: file, password: 'p' }), new RegExp(`${at(4)}HostKeyAlias is not supported`));
    await assert.rejects(apply({ host: 'c', sshConfig: file, password: 'p' }), new RegExp(`${at(6)}KnownHostsCommand is not supported`));
  });

  it('checks the options it reads before reading the config', async () => {
    const file = writeConfig(FULL());
    await assert.rejects(apply({ host: 'web', sshConfig: file, bogus: 1 }), /Settings error: unknown option 'bogus'/);
    await assert.rejects(apply({ host: '', sshConfig: file }), /Settings error: host must be a non-empty string/);
    await assert.rejects(apply({ host: 'web', sshConfig: file, username: 7 }), /Settings error: username must be a non-empty string/);
    await assert.rejects(apply({ host: 'web', sshConfig: file, port: 0 }), /Settings error: port must be an integer from 1 to 65535/);
    await assert.rejects(apply({ host: 'web', sshConfig: file, connectTimeout: -1 }), /Settings error: connectTimeout must be a number of milliseconds/);
    await assert.rejects(apply({ host: 'web', sshConfig: file, hostKey: { polcy: 'strict' } }), /Settings error: unknown option 'hostKey.polcy'/);
    await assert.rejects(apply({ host: 'web', sshConfig: file, debug: 'yes' }), /Settings error: debug must be a function/);
    await assert.rejects(apply({ host: 'web', sshConfig: 'rel\0path' }), /Settings error: sshConfig must be true/);
  });

  it('the read runs within the explicit connectTimeout (or the default), counted from the start of the connect', async () => {
    const file = writeConfig(FULL());
    await assert.rejects(applySshConfig({ host: 'web', sshConfig: file, connectTimeout: 1000 }, Date.now() - 5000), (error) => {
      assert.equal(error.code, 'TIMEOUT');
      assert.equal(error.message, 'Timeout error: no connection to web:22 within 1 s (stage: reading the ssh config)');
      return true;
    });
    await assert.rejects(applySshConfig({ host: 'web', sshConfig: file }, Date.now() - 31_000), /within 30 s \(stage: reading the ssh config\)/);
  });
});
