// OPI logging: GetLoggingSettings, the third CreateConnection argument, GetLog.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  CloseConnection,
  CreateConnection,
  ExecuteCommand,
  GetLog,
  GetLoggingSettings,
  GetSettingsPrivateKey,
} from '../../dist/index.js';
import { startSshd } from '../fixtures/sshd.mjs';

const LINE = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] .+$/;
let sshd;
let settings;
let dir;
before(async () => {
  sshd = await startSshd();
  settings = GetSettingsPrivateKey(sshd.host, sshd.port, sshd.user, sshd.keys.ed25519);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-log-'));
});
after(async () => {
  await sshd?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GetLoggingSettings', () => {
  it('builds OPI\'s structures', () => {
    assert.deepEqual(GetLoggingSettings(), { mode: 'memory', max_entries: 300 });
    assert.deepEqual(GetLoggingSettings(true, 100, '/tmp/x.log'), { mode: 'both', max_entries: 100, file_path: '/tmp/x.log' });
    assert.deepEqual(GetLoggingSettings(false, 100, '/tmp/x.log'), { mode: 'file', file_path: '/tmp/x.log' });
    assert.deepEqual(GetLoggingSettings(false), {});
  });
  it('a bad mode is a Settings error naming logging.mode', async () => {
    const r = await CreateConnection(settings, undefined, { mode: 'radio' });
    assert.equal(r.code, 'INVALID_SETTINGS');
    assert.match(r.error, /^Settings error: logging\.mode /);
  });
});

describe('GetLog', () => {
  it('returns the documented shape and line format', async () => {
    const conn = await CreateConnection(settings, undefined, GetLoggingSettings());
    await ExecuteCommand(conn, 'whoami');
    const log = GetLog(conn);
    assert.equal(log.result, true);
    assert.deepEqual(log.logs.map((l) => l.replace(/^\[[^\]]+\] /, '')), ['Connecting to SSH server', 'Connected to SSH server', 'Execute command: whoami']);
    for (const line of log.logs) assert.match(line, LINE);
    assert.equal(log.total, 3);
    assert.equal(log.returned, 3);
    assert.equal(GetLog(conn, true, 0), log.logs.join('\n'));
    assert.deepEqual(GetLog(conn, false, 1).logs, log.logs.slice(-1));
    await CloseConnection(conn);
  });
  it('max_entries caps the ring', async () => {
    const conn = await CreateConnection(settings, undefined, GetLoggingSettings(true, 2));
    await ExecuteCommand(conn, 'true');
    await ExecuteCommand(conn, 'false');
    const log = GetLog(conn, false, 0);
    assert.equal(log.total, 2);
    assert.deepEqual(log.logs.map((l) => l.replace(/^\[[^\]]+\] /, '')), ['Execute command: true', 'Execute command: false']);
    await CloseConnection(conn);
  });
  it('file mode appends', async () => {
    const file = path.join(dir, 'ssh.log');
    fs.writeFileSync(file, 'existing line\n');
    for (let i = 0; i < 2; i++) {
      const conn = await CreateConnection(settings, undefined, GetLoggingSettings(false, 0, file));
      await ExecuteCommand(conn, `echo ${i}`);
      await CloseConnection(conn);
    }
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'existing line');
    assert.equal(lines.length, 1 + 2 * 4);
    for (const line of lines.slice(1)) assert.match(line, LINE);
    assert.match(lines.at(-1), /Disconnecting from SSH server$/);
  });
  it('without a logger: Logger not initialized', async () => {
    const conn = await CreateConnection(settings);
    assert.deepEqual(GetLog(conn), { result: false, error: 'Logger not initialized', code: 'INVALID_STATE' });
    await CloseConnection(conn);
  });
  it('never logs a password', async () => {
    const file = path.join(dir, 'pw.log');
    const r = await CreateConnection({ auth_type: 'password', host: '127.0.0.1', port: sshd.port, username: sshd.user, password: 'pw-never-logged-91' }, undefined, GetLoggingSettings(false, 0, file));
    assert.equal(r.result, false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /Connect failed: Auth error/);
    assert.doesNotMatch(text, /pw-never-logged-91/);
  });
});
