// resolveSshConfig: OpenSSH client config (~/.ssh/config) resolution for one host, on the fixture
// files in test/fixtures/ssh-config/. Pure logic, no server: first match wins, Host patterns and
// negation, Match criteria, Include (globs, relative paths, blocks, cycles, depth), tokens, quoting,
// the keywords that are errors, and bounded reads. The last suite asks OpenSSH itself (`ssh -G`)
// for each fixture host and checks that it agrees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { SshError } from '../../dist/errors.js';
import { MAX_SSH_CONFIG_BYTES, resolveSshConfig } from '../../dist/ssh-config.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ssh-config');
const BASIC = path.join(FIXTURES, 'basic.config');
const MATCH = path.join(FIXTURES, 'match.config');
const HOME = '/home/tester';

let tmp;
/** A copy of fixtures/ssh-config/home with the modes ssh requires (git does not keep them). */
let home;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-ssh-config-'));
  home = path.join(tmp, 'home');
  fs.cpSync(path.join(FIXTURES, 'home'), home, { recursive: true });
  const fixModes = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        fs.chmodSync(full, 0o755);
        fixModes(full);
      } else fs.chmodSync(full, 0o644);
    }
  };
  fixModes(home);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Resolution with a fixed home, local user and environment (nothing from this machine). */
function resolve(host, options = {}) {
  return resolveSshConfig(host, { homeDir: HOME, localUser: 'tester', systemFile: false, env: {}, ...options });
}

/** Writes a config file into the temporary directory. */
function writeConfig(name, text, mode = 0o644) {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
  fs.chmodSync(file, mode);
  return file;
}

/** Asserts a Settings error for field sshConfig whose message matches every pattern. */
async function rejectsSettings(promise, ...patterns) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof SshError, `not an SshError: ${error}`);
    assert.equal(error.code, 'INVALID_SETTINGS');
    assert.equal(error.level, 'settings');
    assert.match(error.message, /^Settings error: sshConfig /);
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

describe('Host blocks: first match wins', () => {
  it('an alias gets its HostName (with %h), User, Port and IdentityFiles; later wildcard defaults fill only what is unset', async () => {
    const r = await resolve('web', { file: BASIC });
    assert.equal(r.host, 'web');
    assert.equal(r.hostname, 'web.example.com');
    assert.equal(r.user, 'deploy');
    assert.equal(r.port, 2201);
    // IdentityFile accumulates, in file order, with ~ and tokens expanded (%r %h %p: the final values).
    assert.deepEqual(r.identityFiles, [`${HOME}/.ssh/id_web`, `${HOME}/.ssh/id_deploy@web.example.com-2201`, `${HOME}/.ssh/id_default`]);
    assert.deepEqual(r.proxyJump, [{ host: 'gateway' }]);
    assert.equal(r.connectTimeoutMs, 90_000);
    assert.equal(r.serverAliveIntervalMs, 15_000);
    // Set before the first Host: applies to every host.
    assert.equal(r.serverAliveCountMax, 5);
    assert.deepEqual(r.files, [BASIC]);
  });

  it('a host no specific block matches gets the wildcard defaults; Host *.example.com matches the name as given', async () => {
    const other = await resolve('other', { file: BASIC });
    assert.deepEqual([other.hostname, other.user, other.port], ['other', 'fallback', 22]);
    const wild = await resolve('other.example.com', { file: BASIC });
    assert.equal(wild.user, 'wildcard-user');
    // web's HostName is web.example.com, but Host lines see the name as given: not wildcard-user.
    assert.equal((await resolve('web-2', { file: BASIC })).user, 'deploy');
  });

  it('a !negated pattern keeps a block from applying even when another pattern matches', async () => {
    const r = await resolve('web-legacy', { file: BASIC });
    assert.equal(r.hostname, 'legacy.example.com');
    assert.equal(r.user, 'fallback');
    assert.equal(r.port, 22);
    assert.deepEqual(r.identityFiles, [`${HOME}/.ssh/id_default`]);
  });

  it('keywords are case-insensitive and take "=" separators; Host patterns are case-sensitive', async () => {
    const db = await resolve('db', { file: BASIC });
    assert.deepEqual([db.hostname, db.user, db.port], ['10.0.0.5', 'dba', 2202]);
    // "HOST bastion.example.com jump2" / "user jumper"
    assert.equal((await resolve('jump2', { file: BASIC })).user, 'jumper');
    assert.equal((await resolve('JUMP2', { file: BASIC })).user, 'fallback');
  });

  it('quoted values keep their spaces; HostName is lower-cased (not an IP address)', async () => {
    const r = await resolve('quoted', { file: BASIC });
    assert.equal(r.hostname, 'quoted.example.com');
    assert.equal(r.user, 'single');
    assert.deepEqual(r.identityFiles, [`${HOME}/.ssh/my key`, `${HOME}/.ssh/id_default`]);
    assert.equal(r.connectTimeoutMs, 10_000);
  });

  it('an explicit user and port win over User and Port, and tokens see them', async () => {
    const r = await resolve('web', { file: BASIC, user: 'me', port: 2022 });
    assert.equal(r.user, 'me');
    assert.equal(r.port, 2022);
    assert.equal(r.identityFiles[1], `${HOME}/.ssh/id_me@web.example.com-2022`);
  });

  it('keywords native-ssh does not use are listed with file and line, only where they apply', async () => {
    const r = await resolve('other', { file: BASIC });
    assert.deepEqual(r.ignored, [
      { keyword: 'ForwardAgent', file: BASIC, line: 51 },
      { keyword: 'SendEnv', file: BASIC, line: 53 },
    ]);
  });

  it('StrictHostKeyChecking maps to native-ssh policies: ask -> strict, accept-new, no -> accept-new', async () => {
    assert.equal((await resolve('other', { file: BASIC })).strictHostKeyChecking, 'strict');
    assert.equal((await resolve('db', { file: BASIC })).strictHostKeyChecking, 'accept-new');
    assert.equal((await resolve('nojump', { file: BASIC })).strictHostKeyChecking, 'accept-new');
    const yes = writeConfig('strict-yes.config', 'StrictHostKeyChecking yes\n');
    assert.equal((await resolve('any', { file: yes })).strictHostKeyChecking, 'strict');
    const unset = writeConfig('strict-unset.config', 'Host *\n  Port 22\n');
    assert.equal((await resolve('any', { file: unset })).strictHostKeyChecking, undefined);
  });

  it('UserKnownHostsFile: the first path of the first line, expanded; none is /dev/null', async () => {
    const db = await resolve('db', { file: BASIC });
    assert.equal(db.userKnownHostsFile, `${HOME}/.ssh/known_hosts.d/10.0.0.5`);
    assert.equal(db.identitiesOnly, true);
    const none = writeConfig('known-none.config', 'UserKnownHostsFile none\nUserKnownHostsFile /later\n');
    assert.equal((await resolve('any', { file: none })).userKnownHostsFile, '/dev/null');
  });
});

describe('ProxyJump', () => {
  it('a comma list of [user@]host[:port] hops, first hop first', async () => {
    const r = await resolve('db', { file: BASIC });
    assert.deepEqual(r.proxyJump, [
      { user: 'alice', host: 'bastion.example.com', port: 2222 },
      { user: 'bob', host: 'jump2' },
    ]);
    assert.deepEqual(r.proxyJumpAt, { file: BASIC, line: 16 });
  });

  it('none sets no jump and keeps later ProxyJump lines from applying', async () => {
    const r = await resolve('nojump', { file: BASIC });
    assert.deepEqual(r.proxyJump, []);
    assert.equal(r.proxyJumpAt, undefined);
  });

  it('ssh:// hops, IPv6 in brackets, a trailing comment', async () => {
    assert.deepEqual((await resolve('ssh-uri', { file: BASIC })).proxyJump, [{ user: 'carol', host: 'gate.example.org', port: 2022 }]);
    const v6 = writeConfig('jump-v6.config', 'ProxyJump u@[::1]:2200,[fe80::1] # two hops\n');
    assert.deepEqual((await resolve('any', { file: v6 })).proxyJump, [{ user: 'u', host: '::1', port: 2200 }, { host: 'fe80::1' }]);
  });

  it('a malformed list is an error wherever it is, as in OpenSSH', async () => {
    for (const value of ['a, b', 'a:0', 'a:99999', '@a', 'a/22', 'ssh://h/path']) {
      const file = writeConfig('jump-bad.config', `Host never-matches\n  ProxyJump ${value}\n`);
      await rejectsSettings(resolve('any', { file }), /line 2: ProxyJump /, /expected none or a comma-separated list/);
    }
  });
});

describe('Match', () => {
  const cases = [
    // host, explicit user, expected user, port, identity files (names), jump
    ['alias', undefined, 'matched-by-hostname', 2300, ['id_real', 'id_all'], []],
    ['alias', 'admin', 'admin', 2300, ['id_real', 'id_admin', 'id_all'], []],
    ['other-alias', undefined, 'everyone', 2300, ['id_all'], []],
    ['plain', 'operator', 'operator', 2400, ['id_all'], []],
    ['plain', 'admin', 'admin', 2400, ['id_admin', 'id_all'], []],
    ['plain', undefined, 'everyone', 22, ['id_all'], []],
    ['db.internal', undefined, 'everyone', 22, ['id_all'], [{ host: 'jump.internal', port: 2200 }]],
    ['skip-db.internal', undefined, 'everyone', 22, ['id_all'], []],
  ];
  for (const [host, user, expectedUser, port, ids, jump] of cases) {
    it(`${host} as ${user ?? '(no user)'}: host (after HostName), originalhost, user, negation, all`, async () => {
      const r = await resolve(host, { file: MATCH, user });
      assert.equal(r.user, expectedUser);
      assert.equal(r.port, port);
      assert.deepEqual(r.identityFiles, ids.map((id) => `${HOME}/.ssh/${id}`));
      assert.deepEqual(r.proxyJump, jump);
    });
  }

  it('Match user sees the local user when nothing set one', async () => {
    const file = writeConfig('match-local.config', 'Match user tester\n  Port 2500\n');
    assert.equal((await resolve('any', { file })).port, 2500);
    assert.equal((await resolve('any', { file, localUser: 'someone' })).port, 22);
  });

  it('Match exec is an error when the outcome depends on it, and skipped when other criteria rule the block out', async () => {
    const file = path.join(FIXTURES, 'errors', 'match-exec.config');
    await rejectsSettings(resolve('db.corp.example', { file }), new RegExp(`"${file}" line 3: Match exec is not supported: it runs a local command`));
    assert.equal((await resolve('db.example.org', { file })).user, 'everyone');
  });

  it('canonical, localuser, localnetwork and tagged are errors too; final always (it asks for a second pass)', async () => {
    for (const criterion of ['canonical', 'localuser tester', 'localnetwork 10.0.0.0/8', 'tagged x', '!exec true']) {
      const file = writeConfig('match-unsupported.config', `# comment\nMatch ${criterion}\n  User x\n`);
      await rejectsSettings(resolve('any', { file }), /line 2: Match .* is not supported/);
    }
    const final = writeConfig('match-final.config', 'Match final host never-matches\n  User x\n');
    await rejectsSettings(resolve('any', { file: final }), /line 1: Match final is not supported/);
  });

  it('malformed Match lines: no criteria, a missing value, an unknown criterion, all with others', async () => {
    for (const [line, pattern] of [
      ['Match', /Match has no value/],
      ['Match host', /Match host has no value/],
      ['Match color blue', /Match color is not a Match criterion/],
      ['Match all host x', /cannot be combined/],
    ]) {
      const file = writeConfig('match-bad.config', `${line}\n`);
      await rejectsSettings(resolve('any', { file }), pattern);
    }
  });
});

describe('Include', () => {
  const opts = () => ({ homeDir: home });

  it('relative paths are under ~/.ssh, globs are sorted, a leading dot and non-matching names are skipped', async () => {
    const a = await resolve('inc-a', opts());
    // 10-first.conf is read before 20-second.conf: its User and HostName win, 20's Port fills in.
    assert.deepEqual([a.hostname, a.user, a.port], ['a.included.example', 'from-10', 2020]);
    assert.deepEqual(a.files.map((f) => path.relative(home, f)), [
      '.ssh/config',
      '.ssh/conf.d/10-first.conf',
      '.ssh/conf.d/20-second.conf',
      '.ssh/nested/only.conf',
    ]);
    // .hidden.conf and notes.txt would set User for every host.
    assert.equal((await resolve('other', opts())).user, 'tester');
  });

  it('an Include inside a Host block applies only with that block, and its Host lines cannot escape it', async () => {
    const b = await resolve('inc-b', opts());
    assert.deepEqual([b.user, b.port], ['from-20', 2020]);
    assert.deepEqual(b.identityFiles, [`${home}/.ssh/id_nested`]);
    const top = await resolve('top', opts());
    // nested/only.conf's "Host top / Port 1999" is parsed but never applies (included from inc-b's block).
    assert.deepEqual([top.user, top.port, top.identityFiles], ['from-top', 2999, []]);
  });

  it('without a file: ~/.ssh/config (permissions checked), then the system file; both may be absent', async () => {
    const system = writeConfig('etc/ssh_config', 'Host *\n  User from-system\n  Port 2888\n');
    const r = await resolve('top', { homeDir: home, systemFile: system });
    assert.deepEqual([r.user, r.port], ['from-top', 2999]);
    assert.equal(r.files.at(-1), system);
    const bare = await resolve('x', { homeDir: path.join(tmp, 'no-such-home'), systemFile: system });
    assert.deepEqual([bare.user, bare.port, bare.files], ['from-system', 2888, [system]]);
    const nothing = await resolve('x', { homeDir: path.join(tmp, 'no-such-home') });
    assert.deepEqual([nothing.hostname, nothing.user, nothing.port, nothing.files], ['x', 'tester', 22, []]);
  });

  it('an include cycle is an error naming the Include line and the chain', async () => {
    await rejectsSettings(resolve('x', { homeDir: home, file: path.join(home, '.ssh', 'cycle', 'a.conf') }),
      /cycle\/b\.conf" line 1: Include: ".*cycle\/a\.conf" includes itself/, /a\.conf" -> ".*b\.conf" -> ".*a\.conf"/);
  });

  it('nesting deeper than 16 is an error; 16 is fine', async () => {
    const chain = (levels) => {
      const dir = path.join(tmp, `deep-${levels}`);
      for (let i = 0; i < levels; i++) writeConfig(path.join(`deep-${levels}`, `${i}.conf`), `Include ${dir}/${i + 1}.conf\n`);
      writeConfig(path.join(`deep-${levels}`, `${levels}.conf`), 'User deepest\n');
      return path.join(dir, '0.conf');
    };
    assert.equal((await resolve('x', { file: chain(16) })).user, 'deepest');
    await rejectsSettings(resolve('x', { file: chain(17) }), /line 1: Include: ".*17\.conf" is included more than 16 levels deep/);
  });

  it('an included file writable by group or others is refused, as ssh refuses it', async () => {
    writeConfig('perm/loose.conf', 'User loose\n', 0o664);
    const file = writeConfig('perm/main.config', `Include ${tmp}/perm/loose.conf\n`);
    await rejectsSettings(resolve('x', { file }), /main\.config" line 1: Include: ".*loose\.conf" has bad owner or permissions \(mode 0664/);
  });

  it('~ in the system file is an error; its relative includes are under /etc/ssh', async () => {
    const system = writeConfig('etc/tilde_config', 'Include ~/.ssh/x.conf\n');
    await rejectsSettings(resolve('x', { homeDir: path.join(tmp, 'no-such-home'), systemFile: system }), /line 1: Include "~\/\.ssh\/x\.conf": ~ is not allowed in the system-wide file/);
  });
});

describe('tokens and expansion', () => {
  it('%h %p %r %u %d %n %% and ~ in IdentityFile and UserKnownHostsFile, ${NAME} from the environment', async () => {
    const file = writeConfig('tokens.config', [
      'Host tok',
      '  HostName %h.Example.ORG',
      '  User remote',
      '  Port 2345',
      '  IdentityFile ~/keys/%h_%p_%r_%u_%n_100%%',
      '  IdentityFile %d/abs',
      '  IdentityFile ${KEYS}/k',
      '  IdentityFile relative/key',
      '  UserKnownHostsFile ~/.ssh/kh-%h-%p',
      '',
    ].join('\n'));
    const r = await resolve('tok', { file, env: { KEYS: '/srv/keys' } });
    assert.equal(r.hostname, 'tok.example.org');
    assert.deepEqual(r.identityFiles, [
      `${HOME}/keys/tok.example.org_2345_remote_tester_tok_100%`,
      `${HOME}/abs`,
      '/srv/keys/k',
      'relative/key',
    ]);
    assert.equal(r.userKnownHostsFile, `${HOME}/.ssh/kh-tok.example.org-2345`);
  });

  it('an unknown token, a lone %, an unset variable or ~user is an error naming the line', async () => {
    for (const [line, pattern] of [
      ['IdentityFile ~/.ssh/id_%C', /IdentityFile "~\/\.ssh\/id_%C" has the token %C, which is not supported here \(expected %d .*%% \(a literal %\)\)/],
      ['IdentityFile /k/%', /ends with a lone %/],
      ['IdentityFile ${NOPE}/k', /environment variable NOPE, which is not set/],
      ['IdentityFile ~root/.ssh/id', /~user is not supported/],
      ['HostName %h.%p', /HostName "%h\.%p" has the token %p, which is not supported here \(expected %h/],
    ]) {
      const file = writeConfig('token-bad.config', `# tokens\n${line}\n`);
      await rejectsSettings(resolve('x', { file }), /line 2: /, pattern);
    }
  });

  it('User from the config takes tokens and ${NAME} (as OpenSSH 10); an explicit user is taken as it is', async () => {
    const file = writeConfig('user-tokens.config', 'Host u\n  HostName u.example\n  User %u-on-%h-${TEAM}\n  IdentityFile ~/%r\n');
    const r = await resolve('u', { file, env: { TEAM: 'ops' } });
    assert.equal(r.user, 'tester-on-u.example-ops');
    assert.deepEqual(r.identityFiles, [`${HOME}/tester-on-u.example-ops`]);
    assert.equal((await resolve('u', { file, user: '%u', env: { TEAM: 'ops' } })).user, '%u');
    const bad = writeConfig('user-r.config', 'User %r\n');
    await rejectsSettings(resolve('u', { file: bad }), /line 1: User "%r" has the token %r, which is not supported here/);
  });

  it('a UTF-8 byte order mark before the first keyword is skipped', async () => {
    const file = writeConfig('bom.config', '\uFEFFHost bom\n  User with-bom\n');
    assert.equal((await resolve('bom', { file })).user, 'with-bom');
    assert.equal((await resolve('other', { file })).user, 'tester');
  });

  it('an IP address HostName keeps its case', async () => {
    const file = writeConfig('v6.config', 'HostName FE80::1\n');
    assert.equal((await resolve('x', { file })).hostname, 'FE80::1');
  });
});

describe('errors', () => {
  it('ProxyCommand is an error for the hosts it applies to; ProxyJump first, or ProxyCommand none, wins without one', async () => {
    const file = path.join(FIXTURES, 'errors', 'proxy-command.config');
    await rejectsSettings(resolve('piped', { file }), new RegExp(`"${file}" line 7: ProxyCommand is not supported`), /use ProxyJump, the proxy option/);
    assert.deepEqual((await resolve('direct', { file })).proxyJump, [{ host: 'late.example.com' }]);
    assert.deepEqual((await resolve('first-jump', { file })).proxyJump, [{ host: 'gateway.example.com' }]);
    assert.deepEqual((await resolve('first-none', { file })).proxyJump, []);
  });

  it('CanonicalizeHostname yes is an error where it applies; no is fine', async () => {
    const file = writeConfig('canon.config', 'Host plain\n  CanonicalizeHostname no\nHost *\n  CanonicalizeHostname yes\n');
    assert.equal((await resolve('plain', { file })).hostname, 'plain');
    await rejectsSettings(resolve('other', { file }), /line 4: CanonicalizeHostname yes is not supported/);
  });

  it('malformed values are errors wherever they are (as in OpenSSH), with the expected form', async () => {
    for (const [text, pattern] of [
      ['Port ssh', /Port "ssh" is not a port \(expected a number from 1 to 65535/],
      ['Port 70000', /is not a port/],
      ['ConnectTimeout soon', /ConnectTimeout "soon" is not a time \(expected seconds/],
      ['ServerAliveCountMax -1', /is not a count/],
      ['IdentitiesOnly maybe', /IdentitiesOnly "maybe" is not a flag \(expected yes or no\)/],
      ['StrictHostKeyChecking sometimes', /is not a policy \(expected yes, accept-new, no, off or ask\)/],
      ['User "unclosed', /has an unclosed " quote/],
      ['User a b', /User takes one value \(got 2/],
      ['HostName', /HostName has no value/],
      ['UserKnownHostsFile none /x', /none must stand alone/],
      ['Host ""', /Host has an empty pattern/],
    ]) {
      const file = writeConfig('bad-value.config', `Host never-matches\n  ${text}\n`);
      await rejectsSettings(resolve('x', { file }), /bad-value\.config" line 2: /, pattern);
    }
  });

  it('a file that is missing, a directory, or larger than 1 MiB is an error', async () => {
    await rejectsSettings(resolve('x', { file: path.join(tmp, 'absent.config') }), /cannot read ".*absent\.config": ENOENT/);
    await rejectsSettings(resolve('x', { file: tmp }), /must be a regular file \(".*" is a directory; name a config file\)/);
    const big = writeConfig('big.config', `# ${'x'.repeat(MAX_SSH_CONFIG_BYTES)}\n`);
    await rejectsSettings(resolve('x', { file: big }), /must be a config file of at most 1 MiB \(".*big\.config" is larger\)/);
  });

  it('bad arguments are Settings errors', async () => {
    await assert.rejects(resolveSshConfig(''), /Settings error: host must be a non-empty string/);
    await assert.rejects(resolveSshConfig('x', { port: 0 }), /Settings error: port must be an integer from 1 to 65535/);
    await assert.rejects(resolveSshConfig('x', { file: 42 }), /Settings error: sshConfig must be a non-empty string \(got 42\)/);
    await assert.rejects(resolveSshConfig('x', { path: '/x' }), /Settings error: sshConfig path is not an option of resolveSshConfig \(expected file, user/);
  });

  it('a cancelled read returns no settings', async () => {
    const r = await resolve('web', { file: BASIC, cancel: { cancelled: true } });
    assert.deepEqual([r.hostname, r.user, r.port, r.identityFiles, r.files], ['web', 'tester', 22, [], []]);
  });
});

// --- OpenSSH itself, for each fixture host -------------------------------------------------------

const sshAvailable = spawnSync('ssh', ['-V'], { stdio: 'ignore' }).error === undefined;
const passwdHome = os.userInfo().homedir;

/** `ssh -G` for a host: keyword -> values (in order). */
function sshG(file, host, { user, env } = {}) {
  const args = ['-G', '-F', file, ...(user ? ['-l', user] : []), host];
  const run = spawnSync('ssh', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, timeout: 10_000 });
  assert.equal(run.status, 0, `ssh ${args.join(' ')}: ${run.stderr}`);
  const values = new Map();
  for (const line of run.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const key = line.slice(0, space);
    values.set(key, [...(values.get(key) ?? []), line.slice(space + 1)]);
  }
  return values;
}

/** ssh -G's `proxyjump a,u@b:2,[::1]:3` as hops. */
function parseJump(text) {
  if (text === undefined || text === 'none') return [];
  return text.split(',').map((hop) => {
    const at = hop.lastIndexOf('@');
    const result = {};
    if (at >= 0) result.user = hop.slice(0, at);
    const rest = hop.slice(at + 1);
    const m = rest.startsWith('[') ? /^\[(.*)\](?::(\d+))?$/.exec(rest) : /^([^:]*)(?::(\d+))?$/.exec(rest);
    result.host = m[1];
    if (m[2] !== undefined) result.port = Number(m[2]);
    return result;
  });
}

/** ssh -G prints IdentityFile unexpanded: expand it with ssh's own final values. */
function expandAsSsh(value, g, homeDir, host) {
  const tokens = { '%': '%', d: homeDir, h: g.get('hostname')[0], n: host, p: g.get('port')[0], r: g.get('user')[0], u: os.userInfo().username };
  const tilde = value.startsWith('~/') ? `${homeDir}/${value.slice(2)}` : value;
  return tilde.replace(/%(.)/g, (_, key) => tokens[key]);
}

const SSH_DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];

async function agreesWithSsh(file, host, { user, homeDir = passwdHome, env } = {}) {
  const g = sshG(file, host, { user, env });
  // Unlike resolve() above: this machine's local user, as ssh sees it.
  const r = await resolveSshConfig(host, { file, user, homeDir, systemFile: false });
  const label = `${path.basename(file)} ${host}${user ? ` -l ${user}` : ''}`;
  assert.equal(r.hostname, g.get('hostname')[0], `${label}: hostname`);
  assert.equal(r.user, g.get('user')[0], `${label}: user`);
  assert.equal(String(r.port), g.get('port')[0], `${label}: port`);
  const sshIds = g.get('identityfile') ?? [];
  if (r.identityFiles.length === 0) {
    assert.deepEqual(sshIds, SSH_DEFAULT_IDENTITIES.map((id) => `~/.ssh/${id}`), `${label}: ssh's default identities`);
  } else {
    assert.deepEqual(r.identityFiles, sshIds.map((id) => expandAsSsh(id, g, homeDir, host)), `${label}: identityfile`);
  }
  assert.deepEqual(r.proxyJump, parseJump(g.get('proxyjump')?.[0]), `${label}: proxyjump`);
  assert.equal((r.connectTimeoutMs ?? 'none').toString(), g.get('connecttimeout')[0].replace(/^(\d+)$/, '$1000'), `${label}: connecttimeout`);
  assert.equal(String((r.serverAliveIntervalMs ?? 0) / 1000), g.get('serveraliveinterval')[0], `${label}: serveraliveinterval`);
  assert.equal(String(r.serverAliveCountMax ?? 3), g.get('serveralivecountmax')[0], `${label}: serveralivecountmax`);
  const strict = { true: ['strict'], false: ['accept-new'], 'accept-new': ['accept-new'], ask: [undefined, 'strict'] }[g.get('stricthostkeychecking')[0]];
  assert.ok(strict.includes(r.strictHostKeyChecking), `${label}: stricthostkeychecking ${g.get('stricthostkeychecking')[0]} vs ${r.strictHostKeyChecking}`);
  if (homeDir === passwdHome) {
    // ssh expands ~ here from the password database.
    assert.equal(r.userKnownHostsFile ?? `${passwdHome}/.ssh/known_hosts`, g.get('userknownhostsfile')[0].split(' ')[0], `${label}: userknownhostsfile`);
  }
}

describe('agrees with OpenSSH (ssh -G)', { skip: !sshAvailable && "needs OpenSSH's ssh (openssh-client)" }, () => {
  it('basic.config: aliases, wildcard defaults, negation, quoting, tokens, ProxyJump', async () => {
    for (const host of ['web', 'web-1', 'web-legacy', 'db', 'bastion.example.com', 'jump2', 'JUMP2', 'quoted', 'nojump', 'ssh-uri', 'other.example.com', 'other']) {
      await agreesWithSsh(BASIC, host);
    }
    await agreesWithSsh(BASIC, 'web', { user: 'someone' });
  });

  it('match.config: Match host / originalhost / user / all, with and without an explicit user', async () => {
    for (const host of ['alias', 'other-alias', 'plain', 'db.internal', 'skip-db.internal']) {
      for (const user of [undefined, 'admin', 'operator']) await agreesWithSsh(MATCH, host, { user });
    }
  });

  it('the Include fixture: ssh finds ~/.ssh through HOME (glob), as the resolver does through homeDir', async () => {
    for (const host of ['top', 'inc-a', 'inc-b', 'other']) {
      await agreesWithSsh(path.join(home, '.ssh', 'config'), host, { homeDir: home, env: { HOME: home } });
    }
  });

  it('proxy-command.config: the hosts it resolves', async () => {
    for (const host of ['direct', 'first-jump', 'first-none']) await agreesWithSsh(path.join(FIXTURES, 'errors', 'proxy-command.config'), host);
  });
});
