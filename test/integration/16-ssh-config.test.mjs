// connect({host: 'alias', sshConfig: true | path}) against the suite's sshd: an alias in a
// temporary config (HostName, Port, User, IdentityFile, UserKnownHostsFile, StrictHostKeyChecking)
// runs whoami; explicit options win over the config; Include and wildcard defaults; the login the
// config gives (IdentityFile, IdentitiesOnly, ssh-agent, OpenSSH's default key files); what is
// refused (ProxyJump, HostKeyAlias) and a missing file; sshConfig: true reads $HOME/.ssh/config
// (the fixtures give this process a temporary HOME). The mapping itself, without a server, is in
// test/unit/ssh-config-connect.test.mjs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { connect, exec } from '../../dist/index.js';
import { startAgent } from '../fixtures/agent.mjs';
import { startRefusingPort, startSilentServer } from '../fixtures/proxies.mjs';
import { startSshd } from '../fixtures/sshd.mjs';

// The login the config gives depends on SSH_AUTH_SOCK: none unless a test sets one.
delete process.env.SSH_AUTH_SOCK;

let sshd;
let refusing;
let dir;
let knownHosts;
let counter = 0;

before(async () => {
  [sshd, refusing] = await Promise.all([startSshd(), startRefusingPort()]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-sshconfig-'));
  // The server's host keys, as ssh-keyscan would record them for 127.0.0.1:<port>.
  knownHosts = path.join(dir, 'known_hosts');
  const keys = ['ed25519', 'ecdsa', 'rsa'].map((type) => fs.readFileSync(path.join(sshd.dir, `ssh_host_${type}_key.pub`), 'utf8').trim().split(/\s+/));
  fs.writeFileSync(knownHosts, keys.map(([type, blob]) => `[127.0.0.1]:${sshd.port} ${type} ${blob}\n`).join(''), { mode: 0o600 });
});
after(async () => {
  await Promise.all([sshd?.stop(), refusing?.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a config file (0600, as ssh wants it) and returns its path. */
function writeConfig(text, file = path.join(dir, `config_${counter++}`)) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** The config lines that reach the suite's sshd: by default with its Ed25519 key and pinned host keys (strict). */
function reach({ port = sshd.port, user = sshd.user, identity = sshd.keys.ed25519, known = knownHosts, strict = 'yes' } = {}) {
  return [
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile ${identity}`,
    `  UserKnownHostsFile ${known}`,
    `  StrictHostKeyChecking ${strict}`,
  ].join('\n');
}

async function whoami(options) {
  const conn = await connect(options);
  try {
    return (await conn.exec('whoami')).stdout.trim();
  } finally {
    await conn.close();
  }
}

describe('connect with sshConfig', () => {
  it('an alias: HostName, Port, User, IdentityFile, UserKnownHostsFile (pinned, strict) -> whoami', async () => {
    const text = `# test\nHost other\n  HostName 192.0.2.1\n\nHost web web.alias\n${reach()}\n  ForwardAgent yes\n`;
    const file = writeConfig(text);
    const forwardAgentLine = text.split('\n').indexOf('  ForwardAgent yes') + 1;
    const lines = [];
    assert.equal(await whoami({ host: 'web', sshConfig: file, debug: (line) => lines.push(line) }), sshd.user);
    const log = lines.join('\n');
    assert.ok(log.includes(`sshConfig web: read ${file}`), log);
    assert.ok(log.includes(`ignored ForwardAgent (${file}:${forwardAgentLine})`), log);
    assert.ok(log.includes(`login: key file ${sshd.keys.ed25519} (IdentityFile)`), log);
    assert.match(log, /host key policy strict/);
  });

  it('the one-shot exec takes sshConfig too', async () => {
    const file = writeConfig(`Host one-shot\n${reach()}\n`);
    const result = await exec({ host: 'one-shot', sshConfig: file }, 'echo $USER');
    assert.equal(result.stdout.trim(), sshd.user);
  });

  it('explicit options win: port, username, the login and the host-key policy', async () => {
    const missingKey = path.join(dir, 'no-such-key');
    const file = writeConfig(`Host explicit\n${reach({ port: refusing.port, user: 'nobody-from-config', identity: missingKey })}\n`);
    // Each of these alone would fail: the config's port refuses, its user and key do not exist.
    const options = { host: 'explicit', sshConfig: file, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519 };
    assert.equal(await whoami(options), sshd.user);
    // An explicit policy replaces the config's: off checks nothing, so an empty known_hosts does not matter.
    const empty = writeConfig('');
    const relaxed = writeConfig(`Host relaxed\n${reach({ known: empty })}\n`);
    await assert.rejects(connect({ host: 'relaxed', sshConfig: relaxed }), (e) => e.code === 'HOST_KEY_UNKNOWN');
    assert.equal(await whoami({ host: 'relaxed', sshConfig: relaxed, hostKey: { policy: 'off' } }), sshd.user);
  });

  it('Include with a glob, and wildcard defaults at the end', async () => {
    const included = path.join(dir, `conf.d-${counter++}`);
    writeConfig('Host web-*\n  HostName 127.0.0.1\n', path.join(included, '10-web.conf'));
    writeConfig('Host web-*\n  HostName 192.0.2.9\n', path.join(included, '20-later.conf'));
    const file = writeConfig(
      [
        `Include ${included}/*.conf`,
        'Host db',
        '  HostName 192.0.2.10',
        'Host *',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.keys.ed25519}`,
        `  UserKnownHostsFile ${knownHosts}`,
        '',
      ].join('\n'),
    );
    const lines = [];
    assert.equal(await whoami({ host: 'web-1', sshConfig: file, debug: (line) => lines.push(line) }), sshd.user);
    assert.ok(lines.some((l) => l.includes(`read ${file}, ${included}/10-web.conf, ${included}/20-later.conf`)), lines.join('\n'));
  });

  it('UserKnownHostsFile none (or /dev/null) with accept-new records nothing and warns nothing', async () => {
    const defaultFile = path.join(os.homedir(), '.ssh', 'known_hosts');
    const warnings = [];
    const onWarning = (w) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (const value of ['none', '/dev/null']) {
        const file = writeConfig(`Host throwaway\n${reach({ known: value, strict: 'accept-new' })}\n`);
        const lines = [];
        assert.equal(await whoami({ host: 'throwaway', sshConfig: file, debug: (line) => lines.push(line) }), sshd.user);
        assert.ok(lines.some((l) => l.includes('host key policy accept-new')), lines.join('\n'));
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
    assert.equal(fs.existsSync(defaultFile) && fs.readFileSync(defaultFile, 'utf8').includes(String(sshd.port)), false);
  });

  it('ProxyJump is a Settings error naming the file and line (never a direct connection); ProxyJump none connects', async () => {
    const silent = await startSilentServer();
    try {
      const file = writeConfig(`Host behind\n  HostName 127.0.0.1\n  Port ${silent.port}\n  ProxyJump admin@bastion:2222,gate\n  User u\n  IdentityFile ${sshd.keys.ed25519}\n`);
      await assert.rejects(connect({ host: 'behind', sshConfig: file }), (error) => {
        assert.equal(error.code, 'INVALID_SETTINGS');
        assert.equal(
          error.message,
          `Settings error: sshConfig ${JSON.stringify(file)} line 4: ProxyJump admin@bastion:2222,gate needs jump hosts, which are not supported yet (connecting directly would bypass the jump host; "ProxyJump none" for this host connects directly)`,
        );
        return true;
      });
      // An explicit login does not change that.
      await assert.rejects(connect({ host: 'behind', sshConfig: file, password: 'x' }), /ProxyJump admin@bastion:2222,gate needs jump hosts/);
      assert.equal(silent.accepted(), 0);
    } finally {
      await silent.stop();
    }
    const none = writeConfig(`Host direct\n  ProxyJump none\n${reach()}\nHost *\n  ProxyJump bastion\n`);
    assert.equal(await whoami({ host: 'direct', sshConfig: none }), sshd.user);
  });

  it('HostKeyAlias is a Settings error naming the file and line', async () => {
    const file = writeConfig(`Host aliased\n${reach()}\n  HostKeyAlias web.example\n`);
    await assert.rejects(connect({ host: 'aliased', sshConfig: file }), /^SshError: Settings error: sshConfig ".*" line 8: HostKeyAlias is not supported: the host key would be looked up under the HostName/);
  });

  it('a missing config file is a Settings error naming the path; a bad sshConfig value names the expected form', async () => {
    const missing = path.join(dir, 'no-such-config');
    await assert.rejects(connect({ host: 'web', sshConfig: missing }), (error) => {
      assert.equal(error.code, 'INVALID_SETTINGS');
      assert.ok(error.message.startsWith('Settings error: sshConfig '), error.message);
      assert.ok(error.message.includes(JSON.stringify(missing)), error.message);
      assert.match(error.message, /ENOENT/);
      return true;
    });
    for (const value of [1, '', null, {}]) {
      await assert.rejects(
        connect({ host: 'web', sshConfig: value }),
        /^SshError: Settings error: sshConfig must be true \(~\/\.ssh\/config, then \/etc\/ssh\/ssh_config\), the path of a config file \(as ssh -F\), or false/,
      );
    }
  });

  it('sshConfig: true reads $HOME/.ssh/config', async () => {
    const file = path.join(os.homedir(), '.ssh', 'config');
    writeConfig(`Host home-alias\n${reach()}\n`, file);
    try {
      const lines = [];
      assert.equal(await whoami({ host: 'home-alias', sshConfig: true, debug: (line) => lines.push(line) }), sshd.user);
      assert.ok(lines.some((l) => l.includes(`read ${file}`)), lines.join('\n'));
    } finally {
      fs.rmSync(file);
    }
  });

  it('no login given: none found is a Settings error listing what was tried; then OpenSSH default key files', async () => {
    const file = writeConfig(`Host defaults\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User ${sshd.user}\n  UserKnownHostsFile ${knownHosts}\n`);
    const home = path.join(os.homedir(), '.ssh');
    const tried = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => JSON.stringify(path.join(home, name))).join(', ');
    await assert.rejects(
      connect({ host: 'defaults', sshConfig: file }),
      (error) =>
        error.message ===
        `Settings error: sshConfig gives no way to log in to defaults: no password, privateKey, privateKeyPath, agent or keyboard was given; SSH_AUTH_SOCK is not set; no default key file is a readable file (tried ${tried})`,
    );
    const missing = writeConfig(`Host named\n${reach({ identity: path.join(dir, 'absent_key') })}\n`);
    await assert.rejects(connect({ host: 'named', sshConfig: missing }), /no IdentityFile is a readable file \(tried ".*absent_key"\)$/);
    // id_ecdsa (encrypted) is the first default present: the passphrase given is for it.
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    const copy = path.join(home, 'id_ecdsa');
    fs.copyFileSync(sshd.keys.ecdsa, copy);
    fs.chmodSync(copy, 0o600);
    try {
      assert.equal(await whoami({ host: 'defaults', sshConfig: file, passphrase: sshd.keys.ecdsaPassphrase }), sshd.user);
    } finally {
      fs.rmSync(copy);
    }
  });

  it('ssh-agent when SSH_AUTH_SOCK is set, unless IdentitiesOnly yes', async () => {
    const agent = await startAgent([sshd.keys.ed25519]);
    process.env.SSH_AUTH_SOCK = agent.socket;
    try {
      // The config's IdentityFile does not exist: only the agent's key can log in.
      const file = writeConfig(`Host agent\n${reach({ identity: path.join(dir, 'absent_key') })}\nHost agent-only-key\n${reach()}\n  IdentitiesOnly yes\n`);
      const lines = [];
      assert.equal(await whoami({ host: 'agent', sshConfig: file, debug: (line) => lines.push(line) }), sshd.user);
      assert.ok(lines.some((l) => l.endsWith('login: ssh-agent (SSH_AUTH_SOCK)')), lines.join('\n'));
      lines.length = 0;
      assert.equal(await whoami({ host: 'agent-only-key', sshConfig: file, debug: (line) => lines.push(line) }), sshd.user);
      assert.ok(lines.some((l) => l.endsWith(`login: key file ${sshd.keys.ed25519} (IdentityFile)`)), lines.join('\n'));
    } finally {
      delete process.env.SSH_AUTH_SOCK;
      await agent.stop();
    }
  });

  it("the config's ConnectTimeout bounds the connect when connectTimeout is not given", async () => {
    const silent = await startSilentServer();
    try {
      const file = writeConfig(`Host slow\n  HostName 127.0.0.1\n  Port ${silent.port}\n  User u\n  IdentityFile ${sshd.keys.ed25519}\n  ConnectTimeout 1\n`);
      await assert.rejects(connect({ host: 'slow', sshConfig: file }), (error) => {
        assert.equal(error.code, 'TIMEOUT');
        assert.match(error.message, /^Timeout error: no connection to 127\.0\.0\.1:\d+ within 1 s/);
        return true;
      });
    } finally {
      await silent.stop();
    }
  });
});
