// No secret the caller passed (passwords, passphrases, keyboard answers, key text, proxy
// passwords) appears in any error, log line, util.inspect output or JSON of what the API returns.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { after, before, it } from 'node:test';

import {
  CloseConnection,
  connect,
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetLog,
  GetLoggingSettings,
  GetProxySettings,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
} from '../../dist/index.js';
import { startDante } from '../fixtures/proxies.mjs';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';

let sshd;
let kiOnly;
let socks;
before(async () => {
  [sshd, kiOnly, socks] = await Promise.all([
    startSshd(),
    startSshd({ config: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no', 'PubkeyAuthentication no'] }),
    startDante({ auth: 'username' }),
  ]);
});
after(async () => { await Promise.all([sshd?.stop(), kiOnly?.stop(), socks?.stop()]); });

it('no secret appears in results, errors, logs, inspected or serialised objects', { skip: !canUsePassword && 'needs root' }, async () => {
  const keyText = fs.readFileSync(sshd.keys.ed25519, 'utf8');
  const keyBody = keyText.split('\n')[2]; // a line of the key's base64 body
  const ecdsaText = fs.readFileSync(sshd.keys.ecdsa, 'utf8');
  const secrets = {
    password: sshd.password,
    wrongPassword: 'wrong-pass-6a1f0c',
    passphrase: sshd.keys.ecdsaPassphrase,
    wrongPassphrase: 'wrong-phrase-2b7d',
    answer: kiOnly.password,
    wrongAnswer: 'wrong-answer-9e4c',
    keyBody,
    ecdsaBody: ecdsaText.split('\n')[3],
    proxyPassword: socks.password,
    wrongProxyPassword: 'wrong-proxy-4d8e',
  };
  const logFile = path.join(sshd.dir, 'secrets.log');
  const seen = [];
  const record = (value) => {
    seen.push(util.inspect(value, { depth: 10, showHidden: true }));
    try { seen.push(JSON.stringify(value)); } catch { /* circular */ }
    if (value instanceof Error) seen.push(value.message, String(value.stack));
  };
  const logging = GetLoggingSettings(true, -1, logFile);
  const flows = [
    [GetSettingsLoginPassword('127.0.0.1', sshd.port, sshd.user, secrets.password)],
    [GetSettingsLoginPassword('127.0.0.1', sshd.port, sshd.user, secrets.wrongPassword)],
    [GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, ecdsaText, '', secrets.passphrase)],
    [GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, sshd.keys.ecdsa, '', secrets.wrongPassphrase)],
    [GetSettingsKI('127.0.0.1', kiOnly.port, kiOnly.user, [secrets.answer])],
    [GetSettingsKI('127.0.0.1', kiOnly.port, kiOnly.user, [secrets.wrongAnswer])],
    [GetSettingsLoginPassword('127.0.0.1', kiOnly.port, kiOnly.user, secrets.wrongPassword)],
    [GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, keyText), GetProxySettings('127.0.0.1', socks.port, 'socks5', socks.login, secrets.proxyPassword)],
    [GetSettingsPrivateKey('127.0.0.1', sshd.port, sshd.user, keyText), GetProxySettings('127.0.0.1', socks.port, 'socks5', socks.login, secrets.wrongProxyPassword)],
    [{ auth_type: 'password', host: '127.0.0.1', port: 99999, username: 'u', password: secrets.password }],
  ];
  let connected = 0;
  for (const [settings, proxy] of flows) {
    const conn = await CreateConnection(settings, proxy, logging);
    record(conn);
    if (conn.result === false) continue;
    connected += 1;
    record(await ExecuteCommand(conn, 'whoami'));
    record(GetLog(conn, true, 0));
    record(await CloseConnection(conn));
    record(conn);
    record(await ExecuteCommand(GetConnectionConfiguration(settings, proxy), 'true'));
  }
  assert.equal(connected, 4);
  for (const [settings] of flows.slice(0, 4)) {
    try {
      const options = settings.auth_type === 'password'
        ? { host: '127.0.0.1', port: settings.port, username: settings.username, password: settings.password }
        : { host: '127.0.0.1', port: settings.port, username: settings.username, privateKey: settings.key_path.startsWith('-----') ? settings.key_path : fs.readFileSync(settings.key_path), passphrase: settings.passphrase };
      const conn = await connect(options);
      record(conn);
      await conn.close();
    } catch (error) {
      record(error);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  seen.push(fs.readFileSync(logFile, 'utf8'));
  const everything = seen.join('\n');
  assert.ok(everything.length > 1000);
  for (const [name, secret] of Object.entries(secrets)) {
    assert.ok(secret.length >= 8, name);
    assert.equal(everything.includes(secret), false, `${name} leaked`);
  }
});
