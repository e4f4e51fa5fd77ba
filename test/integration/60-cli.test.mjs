// The command line `native-ssh ssh <Method> --option value`, run as a child process the way a user
// runs it: builders' JSON, ExecuteCommand against a real sshd (direct and through dante's SOCKS5),
// OPI's single-quoted JSON and .json files, exit statuses, usage errors, --out, --help, --version.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startDante, startRefusingPort } from '../fixtures/proxies.mjs';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';
import { envWithoutSecrets } from '../fixtures/child-env.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'native-ssh.js');

/** Runs the CLI; resolves to {status, stdout, stderr}. */
function cli(args, { cwd = ROOT, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    // Secrets set in the caller's environment would change the builders' results (cli-secrets.test.mjs).
    const env = envWithoutSecrets();
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** The one JSON line a successful call prints. */
function json(run) {
  assert.match(run.stdout, /^[^\n]+\n$/, `one line of JSON expected, got ${JSON.stringify(run.stdout)} / ${run.stderr}`);
  return JSON.parse(run.stdout);
}

let tmp;
before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'nssh-cli-'));
});
after(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('builders print their structure and exit 0', () => {
  it('GetSettingsLoginPassword: numeric port, and OPI escapes in plain values', async () => {
    const run = await cli(['ssh', 'GetSettingsLoginPassword', '--host', '127.0.0.1', '--port', '2222', '--user', 'u', '--pass', 'p\\nq\\tr']);
    assert.equal(run.status, 0);
    assert.equal(run.stderr, '');
    assert.deepEqual(json(run), { auth_type: 'password', host: '127.0.0.1', port: 2222, username: 'u', password: 'p\nq\\tr' });
  });

  it('GetSettingsLoginPassword without --pass has no password key', async () => {
    const run = await cli(['ssh', 'GetSettingsLoginPassword', '--host', 'h', '--port', '22', '--user', 'u']);
    assert.deepEqual(json(run), { auth_type: 'password', host: 'h', port: 22, username: 'u' });
  });

  it('GetSettingsPrivateKey: paths made absolute; an existing file path keeps its backslashes', async () => {
    const odd = path.join(tmp, 'key\\new');
    await fsp.writeFile(odd, 'not a key');
    const run = await cli(['ssh', 'GetSettingsPrivateKey', '--host', 'h', '--port', '22', '--user', 'u', '--key', 'id_test', '--pub', odd, '--pass', 'ph'], { cwd: tmp });
    assert.equal(run.status, 0);
    assert.deepEqual(json(run), { auth_type: 'private_key', host: 'h', port: 22, username: 'u', key_path: path.join(tmp, 'id_test'), pub_path: odd, passphrase: 'ph' });
  });

  it('GetSettingsViaAgent, method names in any case', async () => {
    for (const name of ['GetSettingsViaAgent', 'getsettingsviaagent', 'GETSETTINGSVIAAGENT']) {
      const run = await cli(['ssh', name, '--host', 'h', '--port', '22', '--user', 'u']);
      assert.equal(run.status, 0, name);
      assert.deepEqual(json(run), { auth_type: 'agent', host: 'h', port: 22, username: 'u' });
    }
  });

  it("GetSettingsKI: --prompts as \"['a','b']\", as JSON, as one value (no escapes in arrays)", async () => {
    const cases = [
      ["['a','b']", ['a', 'b']],
      ['["a", "b"]', ['a', 'b']],
      ['12we3456!2154', ['12we3456!2154']],
      ["['it's','x\\ny']", ["it's", 'x\ny']],
      ['one\\nvalue', ['one\\nvalue']],
    ];
    for (const [prompts, expected] of cases) {
      const run = await cli(['ssh', 'GetSettingsKI', '--host', 'h', '--port', '22', '--user', 'u', '--prompts', prompts]);
      assert.equal(run.status, 0, prompts);
      assert.deepEqual(json(run), { auth_type: 'keyboard_interactive', host: 'h', port: 22, username: 'u', keyboard_responses: expected }, prompts);
    }
  });

  it('GetProxySettings: default socks5; login and password kept even when empty', async () => {
    let run = await cli(['ssh', 'GetProxySettings', '--addr', '127.0.0.1', '--port', '1080']);
    assert.deepEqual(json(run), { server: '127.0.0.1', port: 1080, proxy_type: 'socks5' });
    run = await cli(['ssh', 'getproxysettings', '--addr', '127.0.0.1', '--port', '8071', '--type', 'HTTP', '--login', '', '--pass', 'pw']);
    assert.equal(run.status, 0);
    assert.deepEqual(json(run), { server: '127.0.0.1', port: 8071, proxy_type: 'HTTP', login: '', password: 'pw' });
  });

  it("GetConnectionConfiguration: OPI's single-quoted JSON, quotes inside values", async () => {
    const set = `{'auth_type':'password','host':'127.0.0.1','port':'2222','username':'u','password':'it's "q" \\'x\\', y'}`;
    const proxy = `{ 'server' : '127.0.0.1', 'port': 1080, 'proxy_type': 'socks5', 'login': 'a\\u00e9', 'password': 'C:\\Temp' }`;
    const run = await cli(['ssh', 'GetConnectionConfiguration', '--set', set, '--proxy', proxy]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(json(run), {
      set: { auth_type: 'password', host: '127.0.0.1', port: '2222', username: 'u', password: `it's "q" 'x', y` },
      proxy: { server: '127.0.0.1', port: 1080, proxy_type: 'socks5', login: 'aé', password: 'C:\\Temp' },
    });
  });

  it('GetConnectionConfiguration: plain JSON, __proto__ as data, no --proxy or an empty one', async () => {
    const set = { auth_type: 'agent', host: 'h', port: 22, username: 'u', n: [1.5e3, true, null], s: 'a\\nb\n"' };
    const text = `${JSON.stringify(set).slice(0, -1)},"__proto__":{"x":1}}`;
    for (const extra of [[], ['--proxy', '']]) {
      const run = await cli(['ssh', 'GetConnectionConfiguration', '--set', text, ...extra]);
      assert.equal(run.status, 0, run.stderr);
      const out = json(run);
      assert.deepEqual(out, JSON.parse(`{"set":${text}}`));
      assert.equal(Object.getPrototypeOf(out.set), Object.prototype);
    }
  });

  it('GetConnectionConfiguration: --set and --proxy as .json files', async () => {
    const setFile = path.join(tmp, 'set.json');
    const proxyFile = path.join(tmp, 'proxy.json');
    await fsp.writeFile(setFile, '\uFEFF{"auth_type":"agent","host":"h","port":22,"username":"u"}\n');
    await fsp.writeFile(proxyFile, "{'server':'127.0.0.1','port':1080}");
    const run = await cli(['ssh', 'GetConnectionConfiguration', '--set', setFile, '--proxy', 'proxy.json'], { cwd: tmp });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(json(run), { set: { auth_type: 'agent', host: 'h', port: 22, username: 'u' }, proxy: { server: '127.0.0.1', port: 1080 } });
  });
});

describe('ExecuteCommand against a real sshd', () => {
  let sshd;
  let dante;
  before(async () => {
    [sshd, dante] = await Promise.all([startSshd(), startDante({ auth: 'none' })]);
  });
  after(async () => {
    await Promise.all([dante?.stop(), sshd?.stop()]);
  });

  /** Single-quoted settings for the fixture's account: a password where sshd allows it, else a key. */
  const setText = (port = sshd.port) => (canUsePassword
    ? `'set':{'auth_type':'password','host':'127.0.0.1','port':'${port}','username':'${sshd.user}','password':'${sshd.password}','connect_timeout':10}`
    : `'set':{'auth_type':'private_key','host':'127.0.0.1','port':'${port}','username':'${sshd.user}','key_path':'${sshd.keys.ed25519}','connect_timeout':10}`);

  it("--conn in OPI's single-quoted form through a SOCKS5 proxy: whoami", async () => {
    const conn = `{${setText()},'proxy':{'server':'127.0.0.1','port':'${dante.port}','proxy_type':'socks5'}}`;
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', conn, '--comm', 'whoami']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, `{"result":true,"exit_code":"0","stdout":"${sshd.user}","stderr":"","close_connection":{"result":true}}\n`);
  });

  it('the proxy in --conn is used: a proxy port where nothing listens fails the call', async () => {
    const refusing = await startRefusingPort();
    const conn = `{${setText()},'proxy':{'server':'127.0.0.1','port':'${refusing.port}','proxy_type':'socks5'}}`;
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', conn, '--comm', 'whoami']);
    assert.equal(run.status, 1);
    assert.equal(json(run).code, 'CONNECT_FAILED');
  });

  it('--conn as a .json file written by the builders with --out; a non-zero exit is still result true', async () => {
    const setFile = path.join(tmp, 'exec-set.json');
    const connFile = path.join(tmp, 'exec-conn.json');
    let run = await cli(['ssh', 'GetSettingsPrivateKey', '--host', '127.0.0.1', '--port', String(sshd.port), '--user', sshd.user, '--key', sshd.keys.ed25519, '--out', setFile]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    run = await cli(['ssh', 'GetConnectionConfiguration', '--set', setFile, '--out', connFile]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(await fsp.readFile(connFile, 'utf8')).set.key_path, sshd.keys.ed25519);
    run = await cli(['ssh', 'executecommand', '--conn', connFile, '--comm', 'printf "out\\n"; echo err >&2; exit 3']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(json(run), { result: true, exit_code: '3', stdout: 'out', stderr: 'err\n', close_connection: { result: true } });
  });

  it('--comm gets OPI escapes: \\n becomes a line break', async () => {
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', `{${setText()}}`, '--comm', 'echo a\\necho b']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(json(run).stdout, 'a\nb');
  });

  it('--out writes the result (UTF-8) and nothing goes to stdout', async () => {
    const out = path.join(tmp, 'result.json');
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', `{${setText()}}`, '--comm', 'printf "h\\303\\251"', '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    const written = await fsp.readFile(out, 'utf8');
    assert.deepEqual(JSON.parse(written), { result: true, exit_code: '0', stdout: 'hé', stderr: '', close_connection: { result: true } });
  });

  it('a refused port: result false, exit status 1, the password not echoed', async () => {
    const refusing = await startRefusingPort();
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', `{${setText(refusing.port)}}`, '--comm', 'whoami']);
    assert.equal(run.status, 1);
    const result = json(run);
    assert.equal(result.result, false);
    assert.equal(result.code, 'CONNECT_FAILED');
    assert.match(result.error, /^TCP error: /);
    if (sshd.password) assert.ok(!run.stdout.includes(sshd.password) && !run.stderr.includes(sshd.password));
  });

  it('a wrong password: AUTH_FAILED, exit status 1, the password not echoed', { skip: !canUsePassword && 'password logins need root' }, async () => {
    const wrong = 'Wr0ng-pa55-w0rd';
    const conn = `{'set':{'auth_type':'password','host':'127.0.0.1','port':${sshd.port},'username':'${sshd.user}','password':'${wrong}'}}`;
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', conn, '--comm', 'whoami']);
    assert.equal(run.status, 1);
    assert.equal(json(run).code, 'AUTH_FAILED');
    assert.ok(!run.stdout.includes(wrong) && !run.stderr.includes(wrong));
  });

  it('a configuration without "set": result false, exit status 1', async () => {
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', "{'proxy':{}}", '--comm', 'whoami']);
    assert.equal(run.status, 1);
    assert.equal(json(run).result, false);
  });
});

describe('usage errors: usage on stderr, exit status 2, nothing on stdout', () => {
  const usageError = (run, pattern) => {
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, pattern);
    assert.match(run.stderr, /Usage: native-ssh/);
  };

  it('an unknown option', async () => {
    const run = await cli(['ssh', 'GetSettingsViaAgent', '--host', 'h', '--port', '22', '--user', 'u', '--pass', 'x']);
    usageError(run, /unknown option '--pass'/);
    assert.match(run.stderr, /Usage: native-ssh ssh GetSettingsViaAgent --host <host> --port <port> --user <login>/);
  });

  it('an unknown --name=value option does not echo the value', async () => {
    const run = await cli(['ssh', 'GetSettingsLoginPassword', '--host', 'h', '--port', '22', '--user', 'u', "--pas=S3cr'et-Value"]);
    usageError(run, /unknown option '--pas=\.\.\.'/);
    assert.ok(!run.stderr.includes('S3cr'), run.stderr);
  });

  it('an unknown method lists the methods', async () => {
    const run = await cli(['ssh', 'CreateConnection', '--set', '{}']);
    usageError(run, /unknown command 'CreateConnection'/);
    assert.match(run.stderr, /ExecuteCommand/);
  });

  it('no method, no library, an unknown library', async () => {
    usageError(await cli(['ssh']), /GetSettingsKI/);
    usageError(await cli([]), /ssh/);
    usageError(await cli(['sftp', 'ListObjects']), /unknown command 'sftp'/);
  });

  it('a missing required option, a stray argument', async () => {
    usageError(await cli(['ssh', 'ExecuteCommand', '--comm', 'whoami']), /required option '--conn <json>'/);
    usageError(await cli(['ssh', 'GetSettingsKI', '--host', 'h', '--port', '22', '--user', 'u']), /required option '--prompts/);
    usageError(await cli(['ssh', 'GetSettingsViaAgent', '--host', 'h', '--port', '22', '--user', 'u', 'extra']), /too many arguments/);
  });

  it('malformed JSON names the position, never the text', async () => {
    const run = await cli(['ssh', 'ExecuteCommand', '--conn', "{'set':{'password':'TopSecret1','port':}}", '--comm', 'x']);
    usageError(run, /--conn: invalid JSON: expected a value at position 40/);
    assert.ok(!run.stderr.includes('TopSecret1'));
    usageError(await cli(['ssh', 'GetConnectionConfiguration', '--set', "{'a':'unterminated}"]), /unterminated string starting at position 6/);
    usageError(await cli(['ssh', 'GetConnectionConfiguration', '--set', "['a']"]), /--set: must be a JSON object/);
    usageError(await cli(['ssh', 'GetSettingsKI', '--host', 'h', '--port', '22', '--user', 'u', '--prompts', "['a',]x]"]), /--prompts: invalid array/);
  });

  it('a JSON option that is neither JSON nor a readable file', async () => {
    let run = await cli(['ssh', 'ExecuteCommand', '--conn', 'password:TopSecret2', '--comm', 'x']);
    usageError(run, /--conn: expected a JSON object or the path of a \.json file; cannot read the file \(ENOENT\)/);
    assert.ok(!run.stderr.includes('TopSecret2'));
    run = await cli(['ssh', 'ExecuteCommand', '--conn', path.join(tmp, 'missing.json'), '--comm', 'x']);
    usageError(run, /missing\.json/);
    const bad = path.join(tmp, 'bad.json');
    await fsp.writeFile(bad, '{"set": nope}');
    usageError(await cli(['ssh', 'ExecuteCommand', '--conn', bad, '--comm', 'x']), /invalid JSON in .*bad\.json.*position 9/);
  });
});

describe('--help, --version, --out failures', () => {
  it('--help per method (any case) on stdout, exit status 0', async () => {
    for (const args of [['ssh', 'ExecuteCommand', '--help'], ['ssh', 'executecommand', '-h'], ['ssh', 'help', 'EXECUTECOMMAND']]) {
      const run = await cli(args);
      assert.equal(run.status, 0, args.join(' '));
      assert.match(run.stdout, /Usage: native-ssh ssh ExecuteCommand --conn <json> --comm <command> \[--out <file>\]/);
      assert.match(run.stdout, /--conn <json>/);
      assert.match(run.stdout, /Exit status: 0 result true/);
    }
    const run = await cli(['ssh', '--help']);
    assert.equal(run.status, 0);
    for (const name of ['GetConnectionConfiguration', 'ExecuteCommand', 'GetSettingsLoginPassword', 'GetSettingsPrivateKey', 'GetSettingsViaAgent', 'GetSettingsKI', 'GetProxySettings']) {
      assert.match(run.stdout, new RegExp(name));
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const run = await cli(['--version']);
    assert.equal(run.status, 0);
    assert.equal(run.stdout, `${version}\n`);
  });

  it('a reader that goes away early is no crash', async () => {
    const child = spawn(process.execPath, [BIN, 'ssh', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const status = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(status, 0);
    assert.equal(stderr, '');
  });

  it('--out to an unwritable place: exit status 1 and a message', async () => {
    const run = await cli(['ssh', 'GetSettingsViaAgent', '--host', 'h', '--port', '22', '--user', 'u', '--out', path.join(tmp, 'no', 'such', 'dir.json')]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /cannot write --out file .*ENOENT/);
  });
});
