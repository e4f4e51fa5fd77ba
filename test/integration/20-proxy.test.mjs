// Connections through real proxies (dante, tinyproxy, OpenSSH's ssh -D) whose handshakes the
// native code performs: every proxy type, name targets, and every failure with its code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  connect,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetProxySettings,
  GetSettingsPrivateKey,
  SshError,
} from '../../dist/index.js';
import {
  startDante,
  startRefusingPort,
  startSilentServer,
  startSshDynamicForward,
  startTinyproxy,
} from '../fixtures/proxies.mjs';
import { startSshd } from '../fixtures/sshd.mjs';

let sshd;
const proxies = {};
before(async () => {
  sshd = await startSshd();
  [proxies.danteOpen, proxies.danteAuth, proxies.httpOpen, proxies.httpAuth, proxies.sshD] = await Promise.all([
    startDante({ auth: 'none' }),
    startDante({ auth: 'username' }),
    startTinyproxy({ auth: 'none' }),
    startTinyproxy({ auth: 'basic' }),
    startSshDynamicForward({ sshPort: sshd.port, user: sshd.user, keyPath: sshd.keys.ed25519 }),
  ]);
});
after(async () => {
  await Promise.all(Object.values(proxies).map((p) => p.stop()));
  await sshd?.stop();
});

const settingsFor = (host, port = sshd.port) => GetSettingsPrivateKey(host, port, sshd.user, sshd.keys.ed25519);
const run = (proxy, host = '127.0.0.1', port = sshd.port) =>
  ExecuteCommand(GetConnectionConfiguration({ ...settingsFor(host, port), connect_timeout: 5 }, proxy), 'whoami');

describe('ExecuteCommand through each proxy returns the right whoami', () => {
  const cases = [
    ['SOCKS5 open (dante)', () => GetProxySettings('127.0.0.1', proxies.danteOpen.port, 'socks5'), '127.0.0.1'],
    ['SOCKS5 with login (dante)', () => GetProxySettings('127.0.0.1', proxies.danteAuth.port, 'socks5', proxies.danteAuth.login, proxies.danteAuth.password), '127.0.0.1'],
    ['SOCKS4, IP target (dante)', () => GetProxySettings('127.0.0.1', proxies.danteOpen.port, 'socks4'), '127.0.0.1'],
    ['SOCKS4a, name target (ssh -D)', () => GetProxySettings('127.0.0.1', proxies.sshD.port, 'socks4'), 'localhost'],
    ['SOCKS5, name target resolved by the proxy (ssh -D)', () => GetProxySettings('127.0.0.1', proxies.sshD.port, 'SOCKS5'), 'localhost'],
    ['SOCKS5, name target (dante)', () => GetProxySettings('127.0.0.1', proxies.danteOpen.port, 'socks5'), 'localhost'],
    ['HTTP open (tinyproxy)', () => GetProxySettings('127.0.0.1', proxies.httpOpen.port, 'http'), '127.0.0.1'],
    ['HTTP open, name target (tinyproxy)', () => GetProxySettings('127.0.0.1', proxies.httpOpen.port, 'http'), 'localhost'],
    ['HTTP with Basic auth (tinyproxy)', () => GetProxySettings('127.0.0.1', proxies.httpAuth.port, 'Http', proxies.httpAuth.login, proxies.httpAuth.password), '127.0.0.1'],
    ['proxy given by name', () => GetProxySettings('localhost', proxies.danteOpen.port, 'socks5'), '127.0.0.1'],
  ];
  for (const [name, proxy, target] of cases) {
    it(name, async () => {
      const result = await run(proxy(), target);
      assert.deepEqual(result, { result: true, exit_code: '0', stdout: sshd.user, stderr: '', close_connection: { result: true } });
    });
  }
  it('the idiomatic client through SOCKS5 with login', async () => {
    const conn = await connect({
      host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519,
      proxy: { type: 'socks5', host: '127.0.0.1', port: proxies.danteAuth.port, login: proxies.danteAuth.login, password: proxies.danteAuth.password },
    });
    try {
      assert.equal((await conn.exec('whoami')).stdout, `${sshd.user}\n`);
    } finally {
      await conn.close();
    }
  });
});

describe('proxy failures resolve quickly with the right prefix and code, without the password', () => {
  const secret = 'wrong-proxy-password-5d2c';
  it('wrong SOCKS5 password: PROXY_AUTH_FAILED', async () => {
    const r = await run(GetProxySettings('127.0.0.1', proxies.danteAuth.port, 'socks5', proxies.danteAuth.login, secret));
    assert.equal(r.result, false);
    assert.equal(r.code, 'PROXY_AUTH_FAILED');
    assert.match(r.error, /^TCP error: SOCKS5 error: password authentication failed$/);
    assert.doesNotMatch(JSON.stringify(r), new RegExp(secret));
  });
  it('SOCKS5 proxy that needs a login, none given: PROXY_AUTH_FAILED', async () => {
    const r = await run(GetProxySettings('127.0.0.1', proxies.danteAuth.port, 'socks5'));
    assert.equal(r.code, 'PROXY_AUTH_FAILED');
    assert.match(r.error, /^TCP error: SOCKS5 error: no acceptable auth methods$/);
  });
  it('HTTP proxy without credentials: 407, PROXY_AUTH_FAILED', async () => {
    const r = await run(GetProxySettings('127.0.0.1', proxies.httpAuth.port, 'http'));
    assert.equal(r.code, 'PROXY_AUTH_FAILED');
    assert.equal(r.error, 'TCP error: Proxy authentication required (HTTP 407)');
  });
  it('HTTP proxy with a wrong password: PROXY_AUTH_FAILED', async () => {
    const r = await run(GetProxySettings('127.0.0.1', proxies.httpAuth.port, 'http', proxies.httpAuth.login, secret));
    assert.equal(r.code, 'PROXY_AUTH_FAILED');
    assert.doesNotMatch(JSON.stringify(r), new RegExp(secret));
  });
  it('a refused target behind SOCKS5: PROXY_REFUSED', async () => {
    const { port } = await startRefusingPort();
    const r = await run(GetProxySettings('127.0.0.1', proxies.danteOpen.port, 'socks5'), '127.0.0.1', port);
    assert.equal(r.code, 'PROXY_REFUSED');
    assert.match(r.error, /^TCP error: SOCKS5 error: /);
  });
  it('a refused target behind SOCKS4: PROXY_REFUSED', async () => {
    const { port } = await startRefusingPort();
    const r = await run(GetProxySettings('127.0.0.1', proxies.danteOpen.port, 'socks4'), '127.0.0.1', port);
    assert.equal(r.code, 'PROXY_REFUSED');
    assert.match(r.error, /^TCP error: SOCKS4 error: request rejected or failed$/);
  });
  it('a refused target behind HTTP CONNECT: PROXY_REFUSED with the status', async () => {
    const { port } = await startRefusingPort();
    const r = await run(GetProxySettings('127.0.0.1', proxies.httpOpen.port, 'http'), '127.0.0.1', port);
    assert.equal(r.code, 'PROXY_REFUSED');
    assert.match(r.error, /^TCP error: Proxy error: HTTP 5\d\d$/);
  });
  it('an unknown proxy type: Settings error naming proxy.proxy_type', async () => {
    const r = await run(GetProxySettings('127.0.0.1', proxies.danteOpen.port, 'socks6', 'u', secret));
    assert.equal(r.code, 'INVALID_SETTINGS');
    assert.match(r.error, /^Settings error: proxy\.proxy_type /);
    assert.doesNotMatch(JSON.stringify(r), new RegExp(secret));
  });
  it('a silent proxy: TIMEOUT after connect_timeout, at the proxy handshake stage', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const r = await ExecuteCommand(GetConnectionConfiguration({ ...settingsFor('127.0.0.1'), connect_timeout: 1 },
        GetProxySettings('127.0.0.1', silent.port, 'socks5', 'u', secret)), 'whoami');
      assert.equal(r.code, 'TIMEOUT');
      assert.match(r.error, /stage: proxy handshake/);
      assert.ok(Date.now() - started < 3000);
      assert.doesNotMatch(JSON.stringify(r), new RegExp(secret));
    } finally {
      await silent.stop();
    }
  });
  it('a proxy port nothing listens on: CONNECT_FAILED with a TCP error', async () => {
    const { port } = await startRefusingPort();
    const r = await run(GetProxySettings('127.0.0.1', port, 'socks5'));
    assert.equal(r.code, 'CONNECT_FAILED');
    assert.match(r.error, /^TCP error: Proxy connection error: Connection refused/);
  });
  it('the idiomatic client rejects with SshError level proxy', async () => {
    await assert.rejects(connect({
      host: '127.0.0.1', port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519,
      proxy: { type: 'socks5', host: '127.0.0.1', port: proxies.danteAuth.port, login: proxies.danteAuth.login, password: secret },
    }), (error) => error instanceof SshError && error.code === 'PROXY_AUTH_FAILED' && error.level === 'proxy' && !error.message.includes(secret));
  });
});
