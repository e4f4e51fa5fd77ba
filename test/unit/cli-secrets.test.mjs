// The CLI's secrets without `--pass` on the command line (where `ps` shows them): from
// NATIVE_SSH_PASSWORD / NATIVE_SSH_PASSPHRASE / NATIVE_SSH_PROXY_PASSWORD, or from a prompt that
// reads the terminal without echo (tested on a real pseudo-terminal made by util-linux `script`);
// and `--out` files made 0600, new or existing.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { envWithoutSecrets } from '../fixtures/child-env.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'native-ssh.js');
const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;

/** The test's environment without any NATIVE_SSH_* variable, plus `extra`. */
function envWith(extra = {}) {
  const env = envWithoutSecrets();
  return { ...env, ...extra };
}

/** Runs the CLI with stdin not a terminal; resolves to {status, stdout, stderr}. */
function cli(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const quote = (arg) => `'${arg.replace(/'/g, "'\\''")}'`;

/**
 * Runs the CLI on a pseudo-terminal (`script -qec`): once the terminal shows `prompt` (if given),
 * types `keys`. Resolves to {status, screen}: everything the terminal showed (stdout and stderr).
 */
function onTerminal(args, { prompt, keys = '' } = {}) {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].map(quote).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: envWith(), stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let typed = false;
    child.stdout.setEncoding('utf8').on('data', (d) => {
      screen += d;
      // Typed only after the prompt: the CLI has switched echo off by then.
      if (prompt !== undefined && !typed && screen.includes(prompt)) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, screen, typed });
    });
  });
}

let tmp;
let encryptedKey;
let plainKey;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-cli-secrets-'));
  encryptedKey = path.join(tmp, 'id_encrypted');
  plainKey = path.join(tmp, 'id_plain');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'phrase', '-f', encryptedKey]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', plainKey]);
});
after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const HPU = ['--host', 'h', '--port', '22', '--user', 'u'];

describe('secrets from the environment', () => {
  it('NATIVE_SSH_PASSWORD is the password when --pass is absent, taken literally (no OPI escapes)', async () => {
    const run = await cli(['ssh', 'GetSettingsLoginPassword', ...HPU], { NATIVE_SSH_PASSWORD: 'fr\\om env' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { auth_type: 'password', host: 'h', port: 22, username: 'u', password: 'fr\\om env' });
  });

  it('--pass still wins (OPI compatibility)', async () => {
    const run = await cli(['ssh', 'GetSettingsLoginPassword', ...HPU, '--pass', 'given'], { NATIVE_SSH_PASSWORD: 'from env' });
    assert.equal(JSON.parse(run.stdout).password, 'given');
  });

  it('NATIVE_SSH_PASSPHRASE is the key passphrase', async () => {
    const run = await cli(['ssh', 'GetSettingsPrivateKey', ...HPU, '--key', encryptedKey], { NATIVE_SSH_PASSPHRASE: 'phrase' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).passphrase, 'phrase');
  });

  it('NATIVE_SSH_PROXY_PASSWORD is the proxy password (the login password is not used for it)', async () => {
    const run = await cli(['ssh', 'GetProxySettings', '--addr', 'p', '--port', '1080', '--login', 'pl'], { NATIVE_SSH_PROXY_PASSWORD: 'proxy pw', NATIVE_SSH_PASSWORD: 'other' });
    assert.deepEqual(JSON.parse(run.stdout), { server: 'p', port: 1080, proxy_type: 'socks5', login: 'pl', password: 'proxy pw' });
  });

  it('stdin not a terminal and no variable: no prompt, no secret (as before)', async () => {
    const run = await cli(['ssh', 'GetSettingsLoginPassword', ...HPU]);
    assert.equal(run.status, 0);
    assert.equal(run.stderr, '');
    assert.deepEqual(JSON.parse(run.stdout), { auth_type: 'password', host: 'h', port: 22, username: 'u' });
  });

  it('--help says where secrets come from and that --pass shows in ps', async () => {
    for (const method of ['GetSettingsLoginPassword', 'GetSettingsPrivateKey', 'GetProxySettings']) {
      const run = await cli(['ssh', method, '--help']);
      const help = run.stdout.replace(/\s+/g, ' ');
      assert.match(help, /--pass <[a-z]+> .*default: \$NATIVE_SSH_(PASSWORD|PASSPHRASE|PROXY_PASSWORD), else asked on a terminal/, method);
      assert.match(help, /visible to other users in `ps`/, method);
    }
  });
});

describe('the prompt on a terminal', { skip: !HAVE_SCRIPT && 'util-linux script is not installed' }, () => {
  it('asks for the password without echo; Backspace edits; the answer is the password', async () => {
    const out = path.join(tmp, 'prompted.json');
    const run = await onTerminal(['ssh', 'GetSettingsLoginPassword', ...HPU, '--out', out], { prompt: 'Password for u@h: ', keys: 's3cX\x7fret\r' });
    assert.equal(run.status, 0, run.screen);
    assert.ok(run.typed, run.screen);
    assert.ok(!run.screen.includes('s3c'), `echoed: ${JSON.stringify(run.screen)}`);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).password, 's3cret');
  });

  it('Ctrl-C cancels: exit status 130, nothing written', async () => {
    const out = path.join(tmp, 'cancelled.json');
    const run = await onTerminal(['ssh', 'GetSettingsLoginPassword', ...HPU, '--out', out], { prompt: 'Password for u@h: ', keys: 'abc\x03' });
    assert.equal(run.status, 130, run.screen);
    assert.match(run.screen, /native-ssh: cancelled/);
    assert.ok(!fs.existsSync(out));
  });

  it('asks for a passphrase only when the key is encrypted', async () => {
    const out = path.join(tmp, 'key.json');
    let run = await onTerminal(['ssh', 'GetSettingsPrivateKey', ...HPU, '--key', encryptedKey, '--out', out], { prompt: `Passphrase for ${encryptedKey}: `, keys: 'phrase\r' });
    assert.equal(run.status, 0, run.screen);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).passphrase, 'phrase');
    run = await onTerminal(['ssh', 'GetSettingsPrivateKey', ...HPU, '--key', plainKey, '--out', out]);
    assert.equal(run.status, 0, run.screen);
    assert.doesNotMatch(run.screen, /Passphrase/);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).passphrase, undefined);
  });

  it('asks for a proxy password only when a login is given', async () => {
    const out = path.join(tmp, 'proxy.json');
    let run = await onTerminal(['ssh', 'GetProxySettings', '--addr', 'p', '--port', '1080', '--login', 'pl', '--out', out], { prompt: 'Proxy password for pl@p: ', keys: 'ppw\r' });
    assert.equal(run.status, 0, run.screen);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).password, 'ppw');
    run = await onTerminal(['ssh', 'GetProxySettings', '--addr', 'p', '--port', '1080', '--out', out]);
    assert.equal(run.status, 0, run.screen);
    assert.doesNotMatch(run.screen, /password/i);
  });
});

describe('--out files are private', () => {
  it('a new file is created 0600, whatever the umask', async () => {
    const out = path.join(tmp, 'new.json');
    const command = `umask 000; exec ${[process.execPath, BIN, 'ssh', 'GetSettingsLoginPassword', ...HPU, '--pass', 'pw', '--out', out].map(quote).join(' ')}`;
    execFileSync('sh', ['-c', command], { env: envWith() });
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).password, 'pw');
  });

  it('an existing file is made 0600 and replaced (same file, shorter content leaves nothing behind)', async () => {
    const out = path.join(tmp, 'existing.json');
    fs.writeFileSync(out, 'x'.repeat(4096));
    fs.chmodSync(out, 0o644);
    const inode = fs.statSync(out).ino;
    const run = await cli(['ssh', 'GetSettingsLoginPassword', ...HPU, '--pass', 'pw', '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const stat = fs.statSync(out);
    assert.equal(stat.mode & 0o777, 0o600);
    assert.equal(stat.ino, inode);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')), { auth_type: 'password', host: 'h', port: 22, username: 'u', password: 'pw' });
  });

  it('a FIFO is written as it is (not a regular file: its mode is left alone)', async () => {
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', ['-m', '0644', fifo]);
    const reading = fs.promises.readFile(fifo, 'utf8');
    const run = await cli(['ssh', 'GetSettingsViaAgent', ...HPU, '--out', fifo]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(await reading), { auth_type: 'agent', host: 'h', port: 22, username: 'u' });
    assert.equal(fs.statSync(fifo).mode & 0o777, 0o644);
  });
});
