// The OPI builders and the validation of settings: pure logic, no network.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';

import {
  CreateConnection,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsPrivateKey,
  GetSettingsViaAgent,
  IsConnector,
} from '../../dist/index.js';

describe('GetSettings* builders', () => {
  it('builds the password structure and turns a numeric port string into a number', () => {
    assert.deepEqual(GetSettingsLoginPassword('10.0.0.1', '2222', 'bob', 'pw'), {
      auth_type: 'password', host: '10.0.0.1', port: 2222, username: 'bob', password: 'pw',
    });
  });
  it('drops unfilled values (empty password, port 0)', () => {
    assert.deepEqual(GetSettingsLoginPassword('h', 0, 'bob'), { auth_type: 'password', host: 'h', username: 'bob' });
  });
  it('makes key paths absolute and keeps key text as it is', () => {
    const s = GetSettingsPrivateKey('h', 22, 'bob', 'keys/id', '', 'secret');
    assert.equal(s.key_path, path.resolve('keys/id'));
    assert.equal(s.passphrase, 'secret');
    assert.equal('pub_path' in s, false);
    const text = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n';
    assert.equal(GetSettingsPrivateKey('h', 22, 'bob', text).key_path, text);
  });
  it('builds agent and keyboard-interactive structures', () => {
    assert.deepEqual(GetSettingsViaAgent('h', 22, 'u'), { auth_type: 'agent', host: 'h', port: 22, username: 'u' });
    assert.deepEqual(GetSettingsKI('h', 22, 'u', ['a', 'b']), {
      auth_type: 'keyboard_interactive', host: 'h', port: 22, username: 'u', keyboard_responses: ['a', 'b'],
    });
  });
  it('builds proxy structures: socks5 by default, login/password kept even when empty', () => {
    assert.deepEqual(GetProxySettings('127.0.0.1', '1080'), { server: '127.0.0.1', port: 1080, proxy_type: 'socks5' });
    assert.deepEqual(GetProxySettings('p', 8080, 'HTTP', '', ''), { server: 'p', port: 8080, proxy_type: 'HTTP', login: '', password: '' });
  });
  it('builds a configuration, omitting an empty proxy', () => {
    const set = GetSettingsViaAgent('h', 22, 'u');
    assert.deepEqual(GetConnectionConfiguration(set), { set });
    assert.deepEqual(GetConnectionConfiguration(set, {}), { set });
    const proxy = GetProxySettings('p', 1080);
    assert.deepEqual(GetConnectionConfiguration(set, proxy), { set, proxy });
  });
});

describe('settings validation (before any network work)', () => {
  const cases = [
    ['port 70000', { auth_type: 'password', host: '127.0.0.1', port: 70000, username: 'u' }, 'port'],
    ['port -1', { auth_type: 'password', host: '127.0.0.1', port: -1, username: 'u' }, 'port'],
    ['port "abc"', { auth_type: 'password', host: '127.0.0.1', port: 'abc', username: 'u' }, 'port'],
    ['a missing host', { auth_type: 'password', port: 22, username: 'u' }, 'host'],
    ['a missing username', { auth_type: 'password', host: 'h', port: 22 }, 'username'],
    ['an unknown auth_type', { auth_type: 'telepathy', host: 'h', port: 22, username: 'u' }, 'auth_type'],
    ['keyboard_interactive without answers', { auth_type: 'keyboard_interactive', host: 'h', port: 22, username: 'u' }, 'keyboard_responses'],
    ['keyboard_interactive with []', { auth_type: 'keyboard_interactive', host: 'h', port: 22, username: 'u', keyboard_responses: [] }, 'keyboard_responses'],
    ['private_key without key_path', { auth_type: 'private_key', host: 'h', port: 22, username: 'u' }, 'key_path'],
    ['a negative connect_timeout', { auth_type: 'agent', host: 'h', port: 22, username: 'u', connect_timeout: -5 }, 'connect_timeout'],
    ['a connect_timeout of 50 days (over 2^31-1 ms)', { auth_type: 'agent', host: 'h', port: 22, username: 'u', connect_timeout: 50 * 86400 }, 'connect_timeout'],
    ['a NaN command_timeout', { auth_type: 'agent', host: 'h', port: 22, username: 'u', command_timeout: NaN }, 'command_timeout'],
    ['an Infinity keepalive_interval', { auth_type: 'agent', host: 'h', port: 22, username: 'u', keepalive_interval: Infinity }, 'keepalive_interval'],
    ['host_key_policy "off" with a pin', { auth_type: 'agent', host: 'h', port: 22, username: 'u', host_key_policy: 'off', host_key_fingerprint: `SHA256:${'A'.repeat(43)}` }, 'host_key_fingerprint'],
  ];
  for (const [name, settings, field] of cases) {
    it(`${name} gives a Settings error naming ${field}`, async () => {
      const result = await CreateConnection(settings);
      assert.equal(result.result, false);
      assert.equal(result.code, 'INVALID_SETTINGS');
      assert.match(result.error, new RegExp(`^Settings error: ${field.replace(/[[\]]/g, '\\$&')} `));
    });
  }
  it('rejects a proxy with an unknown type, naming the field', async () => {
    const result = await CreateConnection(GetSettingsViaAgent('h', 22, 'u'), GetProxySettings('p', 1080, 'gopher'));
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.match(result.error, /^Settings error: proxy\.proxy_type /);
  });
  it('rejects a proxy port out of range, naming the field', async () => {
    const result = await CreateConnection(GetSettingsViaAgent('h', 22, 'u'), { server: 'p', port: 0, proxy_type: 'socks5' });
    assert.match(result.error, /^Settings error: proxy\.port /);
  });
  it('ExecuteCommand rejects a value that is neither connection nor configuration', async () => {
    for (const value of [null, 42, 'x', {}, []]) {
      const result = await ExecuteCommand(value, 'true');
      assert.equal(result.result, false);
      assert.equal(result.code, 'INVALID_SETTINGS');
    }
  });
  it('ExecuteCommand rejects an empty command', async () => {
    const result = await ExecuteCommand(GetConnectionConfiguration(GetSettingsViaAgent('h', 22, 'u')), '');
    assert.match(result.error, /^Settings error: command /);
  });
  it('a key file that does not exist is a Settings error, not a network failure', async () => {
    const result = await CreateConnection(GetSettingsPrivateKey('127.0.0.1', 1, 'u', '/nonexistent/key'));
    assert.equal(result.code, 'INVALID_SETTINGS');
    assert.match(result.error, /^Settings error: key_path .*ENOENT/);
  });
  it('never echoes a password in a settings error', async () => {
    const result = await CreateConnection({ auth_type: 'password', host: 'h', port: 99999, username: 'u', password: 'hunter2-secret' });
    assert.doesNotMatch(JSON.stringify(result), /hunter2-secret/);
  });
  it('IsConnector is false for anything but a connection', () => {
    for (const value of [null, undefined, {}, { set: {} }, 'conn', 1]) assert.equal(IsConnector(value), false);
  });
});
