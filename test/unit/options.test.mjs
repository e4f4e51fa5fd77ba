// Options and settings that are wrong in ways the validation used to let through: unknown keys
// (typos, ssh2 / node-ssh names), out-of-range timeouts, a pin with policy "off", key files that
// cannot be keys. All are refused before any network work; nothing listens on the port used.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  connect,
  CreateConnection,
  exec,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetLoggingSettings,
  GetProxySettings,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  GetSettingsViaAgent,
} from '../../dist/index.js';
import { startRefusingPort, startSilentServer } from '../fixtures/proxies.mjs';
import { rejection } from '../fixtures/rejection.mjs';

let refusing;
let tmp;
const MiB = 1024 * 1024;
const PASSPHRASE = 'right-passphrase-71c3';
before(async () => {
  refusing = await startRefusingPort();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-options-'));
  execFileSync('mkfifo', [path.join(tmp, 'fifo')]);
  fs.writeFileSync(path.join(tmp, 'two-mib'), Buffer.alloc(2 * MiB, 'A'));
  // Sparse: no disk used, and read as zeros as fast as the kernel can.
  fs.closeSync(fs.openSync(path.join(tmp, 'known_hosts-60mib'), 'w'));
  fs.truncateSync(path.join(tmp, 'known_hosts-60mib'), 60 * MiB);
  fs.closeSync(fs.openSync(path.join(tmp, 'known_hosts-65mib'), 'w'));
  fs.truncateSync(path.join(tmp, 'known_hosts-65mib'), 65 * MiB);
  const keygen = (...args) => execFileSync('ssh-keygen', ['-q', ...args]);
  keygen('-t', 'ed25519', '-N', '', '-f', path.join(tmp, 'plain'));
  keygen('-t', 'ed25519', '-N', PASSPHRASE, '-f', path.join(tmp, 'enc'));
  keygen('-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', PASSPHRASE, '-f', path.join(tmp, 'rsa-pem'));
  keygen('-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', PASSPHRASE, '-f', path.join(tmp, 'rsa-pkcs8'));
  fs.writeFileSync(path.join(tmp, 'plain.rfc4716'), execFileSync('ssh-keygen', ['-e', '-f', path.join(tmp, 'plain.pub')]));
  fs.writeFileSync(path.join(tmp, 'key.ppk'), 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\nAAAA\nAAAA\n');
});
after(async () => {
  await refusing?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const base = () => ({ host: '127.0.0.1', port: refusing.port, username: 'u', password: 'p', connectTimeout: 2000 });
const opiBase = () => ({ ...GetSettingsLoginPassword('127.0.0.1', refusing.port, 'u', 'p'), connect_timeout: 2 });


describe('unknown options of the idiomatic client are Settings errors', () => {
  const cases = [
    ['ssh2 hostVerifier', { hostVerifier: () => false }, "Settings error: unknown option 'hostVerifier' (did you mean 'hostKey.verify'? ssh2's hostVerifier is hostKey.verify here; hostKey.fingerprint pins a key)"],
    ['ssh2 readyTimeout', { readyTimeout: 5000 }, "Settings error: unknown option 'readyTimeout' (did you mean 'connectTimeout'? ssh2's readyTimeout is connectTimeout here)"],
    ['ssh2 hostHash', { hostHash: 'sha256' }, /^Settings error: unknown option 'hostHash' \(did you mean 'hostKey\.fingerprint'\?/],
    ['ssh2 keepaliveCountMax', { keepaliveCountMax: 3 }, /^Settings error: unknown option 'keepaliveCountMax' \(ssh2's keepaliveCountMax is not supported: /],
    ['ssh2 / node-ssh tryKeyboard', { tryKeyboard: true }, /^Settings error: unknown option 'tryKeyboard' \(not needed: a password login answers keyboard-interactive prompts/],
    ['ssh2 sock', { sock: {} }, /^Settings error: unknown option 'sock' \(ssh2's sock is not supported: for a SOCKS or HTTP proxy give proxy: /],
    ['ssh2 localAddress', { localAddress: '127.0.0.1' }, "Settings error: unknown option 'localAddress' (choosing the local address is not supported)"],
    ['ssh2 agentForward', { agentForward: true }, /^Settings error: unknown option 'agentForward' \(agent forwarding is not supported\)/],
    ['a typo', { privateKeyPth: '/k' }, "Settings error: unknown option 'privateKeyPth' (did you mean 'privateKeyPath'?)"],
    ['a case slip', { ConnectTimeout: 5 }, /^Settings error: unknown option 'ConnectTimeout' \(did you mean 'connectTimeout'\?\)/],
    ['an OPI name', { connect_timeout: 5 }, "Settings error: unknown option 'connect_timeout' (did you mean 'connectTimeout'? in milliseconds here, not seconds)"],
    ['a name like nothing known', { zzz: 1 }, /^Settings error: unknown option 'zzz' \(expected one of: host, port, username, password, privateKey, privateKeyPath, /],
    ['nested in hostKey', { hostKey: { policy: 'strict', verifyer: () => true } }, "Settings error: unknown option 'hostKey.verifyer' (did you mean 'hostKey.verify'?)"],
    ['nested in proxy', { proxy: { host: '127.0.0.1', port: 1080, proxy_type: 'http' } }, "Settings error: unknown option 'proxy.proxy_type' (did you mean 'proxy.type'?)"],
    ['ssh2 serverHostKey in algorithms', { algorithms: { serverHostKey: ['ssh-ed25519'] } }, "Settings error: unknown option 'algorithms.serverHostKey' (did you mean 'algorithms.hostKey'? ssh2's serverHostKey is hostKey here)"],
    ['ssh2 compress in algorithms', { algorithms: { compress: ['none'] } }, /^Settings error: unknown option 'algorithms\.compress' \(compression is not supported\)/],
    ['hostKey that is not an object', { hostKey: 'strict' }, /^Settings error: hostKey must be an object/],
  ];
  for (const [name, extra, expected] of cases) {
    it(`${name}: INVALID_SETTINGS, before any network work`, async () => {
      const error = await rejection(connect({ ...base(), ...extra }));
      assert.equal(error.code, 'INVALID_SETTINGS');
      assert.equal(error.level, 'settings');
      if (typeof expected === 'string') assert.equal(error.message, expected);
      else assert.match(error.message, expected);
    });
  }
  it('a key whose value is undefined counts as absent', async () => {
    const error = await rejection(connect({ ...base(), readyTimeout: undefined }));
    assert.equal(error.code, 'CONNECT_FAILED');
  });
  it('privateKey and privateKeyPath together are refused (one was ignored)', async () => {
    const { password, ...rest } = base();
    void password;
    const error = await rejection(connect({ ...rest, privateKey: 'x', privateKeyPath: '/k' }));
    assert.match(error.message, /^Settings error: privateKey \| privateKeyPath give one of them, not both/);
  });
  const execCases = [
    ['node-ssh cwd', { cwd: '/tmp' }, /^Settings error: unknown option 'cwd' \(cwd is not supported: start the command with cd <dir> &&\)/],
    ['a typo', { timout: 5 }, "Settings error: unknown option 'timout' (did you mean 'timeout'?)"],
    ['ssh2 x11', { x11: true }, /^Settings error: unknown option 'x11' \(X11 forwarding is not supported\)/],
    ['nested in pty', { pty: { term: 'xterm', columns: 100 } }, "Settings error: unknown option 'pty.columns' (did you mean 'pty.cols'?)"],
    ['ssh2 pty modes', { pty: { modes: {} } }, "Settings error: unknown option 'pty.modes' (setting terminal modes is not supported)"],
    ['an unknown encoding', { encoding: 'latin1' }, /^Settings error: encoding must be "utf8" or "buffer"/],
  ];
  for (const [name, execOptions, expected] of execCases) {
    it(`exec options, ${name}: refused by the one-shot exec before it connects`, async () => {
      const error = await rejection(exec(base(), 'true', execOptions));
      assert.equal(error.code, 'INVALID_SETTINGS');
      if (typeof expected === 'string') assert.equal(error.message, expected);
      else assert.match(error.message, expected);
    });
  }
});

describe('unknown fields of OPI structures are Settings errors', () => {
  const settingsCases = [
    ["OPI's typo comand_timeout", { comand_timeout: 5 }, "Settings error: unknown field 'comand_timeout' (did you mean 'command_timeout'?)"],
    ['an idiomatic name', { connectTimeout: 5 }, "Settings error: unknown field 'connectTimeout' (did you mean 'connect_timeout'? in seconds)"],
    ['ssh2 readyTimeout', { readyTimeout: 5000 }, "Settings error: unknown field 'readyTimeout' (did you mean 'connect_timeout'? in seconds)"],
    ['ssh2 privateKey', { privateKey: 'x' }, "Settings error: unknown field 'privateKey' (did you mean 'key_path'? key_path takes a file path or the key text)"],
    ['a proxy inside the settings', { proxy: {} }, /^Settings error: unknown field 'proxy' \(a proxy is CreateConnection's second argument/],
    ['a typo of a host-key field', { host_key_polcy: 'strict' }, "Settings error: unknown field 'host_key_polcy' (did you mean 'host_key_policy'?)"],
  ];
  for (const [name, extra, expected] of settingsCases) {
    it(`settings, ${name}: {result: false, code: INVALID_SETTINGS}`, async () => {
      const result = await CreateConnection({ ...opiBase(), ...extra });
      assert.equal(result.result, false);
      assert.equal(result.code, 'INVALID_SETTINGS');
      if (typeof expected === 'string') assert.equal(result.error, expected);
      else assert.match(result.error, expected);
      const viaConfig = await ExecuteCommand(GetConnectionConfiguration({ ...opiBase(), ...extra }), 'true');
      assert.equal(viaConfig.code, 'INVALID_SETTINGS');
    });
  }
  it('proxy: an unknown field, with the OPI name suggested', async () => {
    const result = await CreateConnection(opiBase(), { ...GetProxySettings('127.0.0.1', 1080), type: 'http' });
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.equal(result.error, "Settings error: unknown field 'proxy.type' (did you mean 'proxy.proxy_type'?)");
  });
  it('configuration: an unknown field', async () => {
    const result = await ExecuteCommand({ set: opiBase(), proxi: {} }, 'true');
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.equal(result.error, "Settings error: unknown field 'connection.proxi' (did you mean 'connection.proxy'?)");
  });
  it('logging: an unknown field', async () => {
    const result = await CreateConnection(opiBase(), undefined, { ...GetLoggingSettings(), max_entires: 5 });
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.equal(result.error, "Settings error: unknown field 'logging.max_entires' (did you mean 'logging.max_entries'?)");
  });
  it('null values of known fields stay accepted (OPI sends them)', async () => {
    const nulls = {};
    for (const field of ['pub_path', 'passphrase', 'keyboard_responses', 'connect_timeout', 'command_timeout', 'keepalive_interval',
      'host_key_policy', 'known_hosts', 'host_key_fingerprint', 'kex_algorithms', 'ciphers', 'macs', 'host_key_algorithms']) nulls[field] = null;
    const result = await CreateConnection({ ...GetSettingsViaAgent('127.0.0.1', refusing.port, 'u'), auth_type: 'password', password: 'p', ...nulls });
    assert.equal(result.code, 'CONNECT_FAILED', result.error);
    const proxied = await CreateConnection({ ...opiBase(), password: null }, { server: '127.0.0.1', port: refusing.port, proxy_type: 'socks5', login: null, password: null });
    assert.equal(proxied.code, 'CONNECT_FAILED', proxied.error);
  });
});

describe('timeouts out of range are Settings errors naming the field and the range', () => {
  const idiomatic = [
    [{ connectTimeout: 2 ** 31 }, 'Settings error: connectTimeout must be a number of milliseconds from 1 to 2147483647 (about 24.8 days) (got 2147483648)'],
    [{ connectTimeout: 50 * 86400 * 1000 }, /^Settings error: connectTimeout must be a number of milliseconds from 1 to 2147483647 .*\(got 4320000000\)$/],
    [{ connectTimeout: -1 }, /^Settings error: connectTimeout .*\(got -1\)$/],
    [{ connectTimeout: 0 }, /^Settings error: connectTimeout must be a number of milliseconds from 1 to /],
    [{ connectTimeout: NaN }, /^Settings error: connectTimeout .*\(got NaN\)$/],
    [{ connectTimeout: Infinity }, /^Settings error: connectTimeout .*\(got Infinity\)$/],
    [{ commandTimeout: -5 }, 'Settings error: commandTimeout must be a number of milliseconds from 0 (none) to 2147483647 (about 24.8 days) (got -5)'],
    [{ commandTimeout: 2 ** 32 }, /^Settings error: commandTimeout .*\(got 4294967296\)$/],
    [{ keepaliveInterval: Infinity }, 'Settings error: keepaliveInterval must be a number of milliseconds from 0 (off) to 2147483647 (about 24.8 days) (got Infinity)'],
    [{ keepaliveInterval: NaN }, /^Settings error: keepaliveInterval .*\(got NaN\)$/],
  ];
  for (const [extra, expected] of idiomatic) {
    it(`connect ${Object.keys(extra)[0]} = ${String(Object.values(extra)[0])}`, async () => {
      const error = await rejection(connect({ ...base(), ...extra }));
      assert.equal(error.code, 'INVALID_SETTINGS');
      if (typeof expected === 'string') assert.equal(error.message, expected);
      else assert.match(error.message, expected);
    });
  }
  for (const timeout of [2 ** 31, -1, NaN, Infinity]) {
    it(`exec timeout ${timeout}`, async () => {
      const error = await rejection(exec(base(), 'true', { timeout }));
      assert.equal(error.code, 'INVALID_SETTINGS');
      assert.match(error.message, new RegExp(`^Settings error: timeout must be a number of milliseconds from 0 \\(none\\) to 2147483647 .*\\(got ${timeout}\\)$`));
    });
  }
  it('the largest values, and 0 where it means none/off, are accepted (the connect is refused)', async () => {
    for (const extra of [{ connectTimeout: 2 ** 31 - 1 }, { commandTimeout: 0, keepaliveInterval: 0 }, { commandTimeout: 2 ** 31 - 1, keepaliveInterval: 2 ** 31 - 1 }]) {
      const error = await rejection(connect({ ...base(), ...extra }));
      assert.equal(error.code, 'CONNECT_FAILED', `${JSON.stringify(extra)}: ${error.message}`);
    }
  });
  const opi = [
    // A 50-day connect_timeout used to become 30 s without a word.
    [{ connect_timeout: 50 * 86400 }, 'Settings error: connect_timeout must be a number of seconds greater than 0 and at most 2147483 (about 24.8 days) (got 4320000)'],
    [{ connect_timeout: 0 }, /^Settings error: connect_timeout must be a number of seconds greater than 0 and at most 2147483 .*\(got 0\)$/],
    [{ connect_timeout: 'Infinity' }, /^Settings error: connect_timeout .*\(got "Infinity"\)$/],
    [{ connect_timeout: NaN }, /^Settings error: connect_timeout .*\(got NaN\)$/],
    [{ command_timeout: 2147484 }, 'Settings error: command_timeout must be a number of seconds from 0 (none) to 2147483 (about 24.8 days) (got 2147484)'],
    [{ command_timeout: -1 }, /^Settings error: command_timeout .*\(got -1\)$/],
    [{ keepalive_interval: 1e12 }, 'Settings error: keepalive_interval must be a number of seconds from 0 (off) to 2147483 (about 24.8 days) (got 1000000000000)'],
    [{ keepalive_interval: -Infinity }, /^Settings error: keepalive_interval .*\(got -Infinity\)$/],
  ];
  for (const [extra, expected] of opi) {
    it(`OPI ${Object.keys(extra)[0]} = ${String(Object.values(extra)[0])}`, async () => {
      const result = await CreateConnection({ ...opiBase(), ...extra });
      assert.equal(result.code, 'INVALID_SETTINGS');
      if (typeof expected === 'string') assert.equal(result.error, expected);
      else assert.match(result.error, expected);
    });
  }
  it('OPI: the largest values, and 0 for command_timeout / keepalive_interval, are accepted', async () => {
    for (const extra of [{ connect_timeout: 2147483 }, { command_timeout: 0, keepalive_interval: 0 }, { command_timeout: '2147483', keepalive_interval: 2147483 }]) {
      const result = await CreateConnection({ ...opiBase(), ...extra });
      assert.equal(result.code, 'CONNECT_FAILED', `${JSON.stringify(extra)}: ${result.error}`);
    }
  });
});

describe('a fingerprint pin with policy "off" is a Settings error (the pin was ignored)', () => {
  const pin = `SHA256:${'A'.repeat(43)}`;
  it('idiomatic hostKey: {policy: "off", fingerprint}', async () => {
    const error = await rejection(connect({ ...base(), hostKey: { policy: 'off', fingerprint: pin } }));
    assert.equal(error.code, 'INVALID_SETTINGS');
    assert.equal(error.message, 'Settings error: hostKey.fingerprint cannot be used with hostKey.policy "off", which checks nothing: pin the key with "strict" or "accept-new", or drop the pin');
  });
  it('OPI host_key_policy "off" + host_key_fingerprint', async () => {
    const result = await CreateConnection({ ...opiBase(), host_key_policy: 'off', host_key_fingerprint: pin });
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.equal(result.error, 'Settings error: host_key_fingerprint cannot be used with host_key_policy "off", which checks nothing: pin the key with "strict" or "accept-new", or drop the pin');
  });
  it('policy "off" alone, and a pin with the other policies, pass validation', async () => {
    for (const hostKey of [{ policy: 'off' }, { policy: 'accept-new', fingerprint: pin }, { policy: 'strict', fingerprint: pin, knownHosts: '/nonexistent/known_hosts' }]) {
      const error = await rejection(connect({ ...base(), hostKey }));
      assert.equal(error.code, 'CONNECT_FAILED', `${JSON.stringify(hostKey)}: ${error.message}`);
    }
  });
});

describe('key and known_hosts files are read bounded, and within the connect timeout', () => {
  const noPassword = () => {
    const { password, ...rest } = base();
    void password;
    return rest;
  };
  const keyCases = [
    ['/dev/urandom (endless, stat says 0)', () => '/dev/urandom', 'Settings error: privateKeyPath must be a regular file ("/dev/urandom" is a character device; to use a key from a pipe, read it yourself and pass the text as privateKey)'],
    ['a FIFO (would block forever)', () => path.join(tmp, 'fifo'), /^Settings error: privateKeyPath must be a regular file \(".*fifo" is a FIFO; /],
    ['a 2 MiB file', () => path.join(tmp, 'two-mib'), /^Settings error: privateKeyPath must be a key file of at most 1 MiB \(".*two-mib" is larger\)$/],
    ['a directory', () => tmp, /^Settings error: privateKeyPath must be a regular file \(".*" is a directory; /],
    ['a missing file', () => path.join(tmp, 'missing'), /^Settings error: privateKeyPath must be key text or a readable file \(cannot read ".*missing": ENOENT\)$/],
  ];
  for (const [name, file, expected] of keyCases) {
    it(`privateKeyPath: ${name}: INVALID_SETTINGS at once`, { timeout: 10000 }, async () => {
      const started = Date.now();
      const error = await rejection(connect({ ...noPassword(), privateKeyPath: file() }));
      assert.equal(error.code, 'INVALID_SETTINGS');
      if (typeof expected === 'string') assert.equal(error.message, expected);
      else assert.match(error.message, expected);
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    });
  }
  it('OPI key_path: /dev/urandom, a FIFO and a 2 MiB file, each with its message', { timeout: 10000 }, async () => {
    const errors = [];
    for (const file of ['/dev/urandom', path.join(tmp, 'fifo'), path.join(tmp, 'two-mib')]) {
      const result = await CreateConnection({ ...GetSettingsPrivateKey('127.0.0.1', refusing.port, 'u', file), connect_timeout: 2 });
      assert.equal(result.code, 'INVALID_SETTINGS');
      errors.push(result.error);
    }
    assert.match(errors[0], /^Settings error: key_path must be a regular file \("\/dev\/urandom" is a character device; to use a key from a pipe, read it yourself and pass the text as key_path\)$/);
    assert.match(errors[1], /^Settings error: key_path must be a regular file \(".*fifo" is a FIFO; /);
    assert.match(errors[2], /^Settings error: key_path must be a key file of at most 1 MiB /);
  });
  it('key text over 1 MiB is refused too', async () => {
    const error = await rejection(connect({ ...noPassword(), privateKey: Buffer.alloc(2 * MiB, 'A') }));
    assert.equal(error.message, 'Settings error: privateKey must be a key of at most 1 MiB (got 2097152 bytes)');
  });
  it('known_hosts over 64 MiB, or not a regular file, is refused; /dev/null is an empty one', { timeout: 10000 }, async () => {
    let error = await rejection(connect({ ...base(), hostKey: { knownHosts: path.join(tmp, 'known_hosts-65mib') } }));
    assert.match(error.message, /^Settings error: hostKey\.knownHosts must be a known_hosts file of at most 64 MiB \(".*known_hosts-65mib" is larger\)$/);
    error = await rejection(connect({ ...base(), hostKey: { knownHosts: path.join(tmp, 'fifo') } }));
    assert.match(error.message, /^Settings error: hostKey\.knownHosts must be a regular file \(".*fifo" is a FIFO\)$/);
    const result = await CreateConnection({ ...opiBase(), known_hosts: '/dev/zero' });
    assert.equal(result.error, 'Settings error: known_hosts must be a regular file ("/dev/zero" is a character device)');
    error = await rejection(connect({ ...base(), hostKey: { knownHosts: '/dev/null', policy: 'strict' } }));
    assert.equal(error.code, 'CONNECT_FAILED');
  });
  it('a file read longer than the connect timeout fails with TIMEOUT (stage: reading known_hosts)', { timeout: 10000 }, async () => {
    // 1 ms: copying 60 MiB takes several ms on any machine, so the deadline always falls inside
    // the read (with 50 ms, an idle machine with the file cached read it in time, and the refused
    // connection then said CONNECT_FAILED).
    const started = Date.now();
    const error = await rejection(connect({ ...base(), connectTimeout: 1, hostKey: { knownHosts: path.join(tmp, 'known_hosts-60mib') } }));
    assert.equal(error.code, 'TIMEOUT');
    assert.equal(error.message, `Timeout error: no connection to 127.0.0.1:${refusing.port} within 0.001 s (stage: reading known_hosts)`);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    const result = await CreateConnection({ ...opiBase(), connect_timeout: 0.001, known_hosts: path.join(tmp, 'known_hosts-60mib') });
    assert.equal(result.code, 'TIMEOUT');
    assert.match(result.error, /\(stage: reading known_hosts\)$/);
  });
  it('the time spent reading files comes off the connect timeout the engine gets', { timeout: 60_000 }, async () => {
    const silent = await startSilentServer();
    try {
      // Checked through the debug lines, not a stopwatch: the engine's timer must get what is left
      // of the bound after reading 60 MiB of known_hosts (whatever the machine's load), so its
      // budget plus the read time never exceeds the bound.
      const lines = [];
      const started = Date.now();
      const error = await rejection(connect({ ...base(), port: silent.port, connectTimeout: 3000, debug: (line) => lines.push(line), hostKey: { knownHosts: path.join(tmp, 'known_hosts-60mib') } }));
      const elapsed = Date.now() - started;
      assert.equal(error.code, 'TIMEOUT');
      assert.match(error.message, /within 3 s \(stage: [A-Za-z_ ]+\)$/);
      const text = lines.join('\n');
      const readMs = Number(/read known_hosts \(62914560 bytes\) in (\d+) ms/.exec(text)?.[1]);
      const leftMs = Number(/engine: (\d+) ms of the connect timeout left/.exec(text)?.[1]);
      assert.ok(readMs > 0 && leftMs > 0, text);
      assert.ok(leftMs + readMs <= 3000 + 5, `the engine got ${leftMs} ms after a read of ${readMs} ms`);
      // A bound against a hang only (the copy into the engine's request cannot be interrupted).
      assert.ok(elapsed >= 2950 && elapsed < 30_000, `took ${elapsed} ms`);
    } finally {
      await silent.stop();
    }
  });
});

describe('key files: what is wrong with them is told apart before the engine sees them', () => {
  const noPassword = () => {
    const { password, ...rest } = base();
    void password;
    return rest;
  };
  const secretsIn = (message) => {
    assert.ok(!message.includes(PASSPHRASE), message);
    for (const name of ['plain', 'enc', 'rsa-pem']) {
      const body = fs.readFileSync(path.join(tmp, name), 'utf8').split('\n').sort((a, b) => b.length - a.length)[0];
      assert.ok(!message.includes(body), message);
    }
  };
  const cases = [
    ['an encrypted OpenSSH key without a passphrase', () => ({ privateKeyPath: path.join(tmp, 'enc') }),
      (f) => `Auth error: the key is encrypted: pass a passphrase (privateKeyPath "${f}/enc": OpenSSH format, aes256-ctr)`],
    ['an encrypted PEM (RSA) key without a passphrase', () => ({ privateKeyPath: path.join(tmp, 'rsa-pem') }),
      (f) => `Auth error: the key is encrypted: pass a passphrase (privateKeyPath "${f}/rsa-pem": PEM, Proc-Type: 4,ENCRYPTED)`],
    ['an encrypted PKCS#8 key without a passphrase', () => ({ privateKeyPath: path.join(tmp, 'rsa-pkcs8') }),
      (f) => `Auth error: the key is encrypted: pass a passphrase (privateKeyPath "${f}/rsa-pkcs8": PKCS#8, encrypted)`],
    ['the encrypted key as text', () => ({ privateKey: fs.readFileSync(path.join(tmp, 'enc')) }),
      () => 'Auth error: the key is encrypted: pass a passphrase (privateKey (text): OpenSSH format, aes256-ctr)'],
    ['a .pub file as the private key', () => ({ privateKeyPath: path.join(tmp, 'plain.pub') }),
      (f) => `Auth error: this is a public key; pass the private key file (without .pub) (privateKeyPath "${f}/plain.pub")`],
    ['public key text as the private key', () => ({ privateKey: fs.readFileSync(path.join(tmp, 'plain.pub'), 'utf8') }),
      () => 'Auth error: this is a public key; pass the private key file (without .pub) (privateKey (text))'],
    ['an RFC 4716 public key', () => ({ privateKeyPath: path.join(tmp, 'plain.rfc4716') }),
      (f) => `Auth error: this is a public key; pass the private key file (without .pub) (privateKeyPath "${f}/plain.rfc4716")`],
    ['a PuTTY key', () => ({ privateKeyPath: path.join(tmp, 'key.ppk') }),
      (f) => `Auth error: PuTTY keys (.ppk) are not supported; convert it with: puttygen key.ppk -O private-openssh -o key (privateKeyPath "${f}/key.ppk")`],
  ];
  for (const [name, options, expected] of cases) {
    it(`${name}: KEY_INVALID with its own message, before connecting`, async () => {
      const error = await rejection(connect({ ...noPassword(), ...options() }));
      assert.equal(error.code, 'KEY_INVALID');
      assert.equal(error.level, 'auth');
      assert.equal(error.message, expected(tmp));
      secretsIn(error.message);
    });
  }
  it('OPI: the same checks on key_path', async () => {
    const encrypted = await CreateConnection(GetSettingsPrivateKey('127.0.0.1', refusing.port, 'u', path.join(tmp, 'enc')));
    assert.deepEqual(encrypted, { result: false, code: 'KEY_INVALID', error: `Auth error: the key is encrypted: pass a passphrase (key_path "${tmp}/enc": OpenSSH format, aes256-ctr)` });
    const pub = await CreateConnection(GetSettingsPrivateKey('127.0.0.1', refusing.port, 'u', path.join(tmp, 'plain.pub')));
    assert.deepEqual(pub, { result: false, code: 'KEY_INVALID', error: `Auth error: this is a public key; pass the private key file (without .pub) (key_path "${tmp}/plain.pub")` });
  });
  it('an unencrypted key, and encrypted keys with a passphrase, pass the check (the connect is refused)', async () => {
    const tries = [{ privateKeyPath: path.join(tmp, 'plain') }, { privateKeyPath: path.join(tmp, 'plain'), passphrase: 'unused' }];
    for (const name of ['enc', 'rsa-pem', 'rsa-pkcs8']) tries.push({ privateKeyPath: path.join(tmp, name), passphrase: PASSPHRASE });
    for (const options of tries) {
      const error = await rejection(connect({ ...noPassword(), ...options }));
      assert.equal(error.code, 'CONNECT_FAILED', `${JSON.stringify(options)}: ${error.message}`);
    }
  });

});
