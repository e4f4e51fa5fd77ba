// README.md cannot drift: every fenced block in it is run or compiled here, or carries an explicit
// `<!-- not-tested: reason -->` right before it.
//
//   js    run as an ES module, in a scratch app whose node_modules/native-ssh is this package
//   ts    compiled with tsc (strict, module nodenext) against dist/*.d.ts, then run the same way
//   sh    run with bash -euo pipefail, with `native-ssh` on PATH; a block of only `npm test` /
//         `npm run <script>` lines is checked against package.json's scripts instead (they are
//         the whole test run or the demo)
//   text  the expected output of the block before it: each of its lines must be in that output
//   sshconfig  an OpenSSH client config whose first line says which file it is (`# ~/.ssh/config`):
//         written, localized, to the scratch HOME's ~/.ssh/config (0600) for the blocks after it
//
// The examples connect to example.com:22 as `deploy` with /home/me/.ssh/id_ed25519 (~/.ssh/... in
// shell) and use proxies at proxy.example:1080 (SOCKS5) and :3128 (HTTP, login `proxyuser`), as
// the README says (in a config: `HostName example.com` and `Port 22`); this file replaces exactly
// those with its own sshd, dante and tinyproxy, and a
// block that still names example.com or proxy.example afterwards is an error. Passwords come from
// SSH_PASSWORD / PROXY_PASSWORD / NATIVE_SSH_PASSWORD, set here. HOME is a scratch directory, so
// no example reads or writes the real ~/.ssh. A run fails on a non-zero exit status or on an OPI
// failure (`result: false`) in its output. README_TEST_SHOW=1 prints what each block printed.
//
// It also checks the "Coming from ssh2 / node-ssh" table against lib/known-keys.ts: every option
// named there is known to the option checks (as an option, or as a name with a hint), an option
// the table calls unsupported has a "not supported" hint, and every hint that names ssh2 or
// node-ssh appears in the table.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startDante, startTinyproxy } from '../fixtures/proxies.mjs';
import { canUsePassword, startSshd } from '../fixtures/sshd.mjs';
import { envWithoutSecrets } from '../fixtures/child-env.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const require = createRequire(import.meta.url);

/** At most this many blocks may opt out. */
const MAX_NOT_TESTED = 3;

/**
 * The fenced blocks of a Markdown text: {line, lang, body, notTested?} (line is 1-based, of the
 * opening fence; notTested is the reason of a marker on the last non-blank line before it).
 */
export function fencedBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (open === null) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: a fence that never closes`);
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = before >= 0 ? /^<!--\s*not-tested:(.*?)-->\s*$/.exec(lines[before]) : null;
    const block = { line: i + 1, lang: open[1].toLowerCase(), body: lines.slice(i + 1, end).join('\n') };
    if (marker !== null) block.notTested = marker[1].trim();
    blocks.push(block);
    i = end;
  }
  return blocks;
}

const NPM_SCRIPT_LINE = /^npm (?:test|run [\w:-]+)(?:\s+#.*)?$/;

/** The file a `sshconfig` block is, named by its first line. */
const CONFIG_FIRST_LINE = '# ~/.ssh/config';

/** What the test does with a block: 'skip', 'js', 'ts', 'sh', 'npm-scripts', 'output' or 'config'; throws for any other. */
export function classify(block, previous) {
  const where = `README.md:${block.line}`;
  if (block.notTested !== undefined) {
    if (block.notTested === '') throw new Error(`${where}: a not-tested marker needs a reason`);
    return 'skip';
  }
  if (['js', 'javascript', 'mjs'].includes(block.lang)) return 'js';
  if (['ts', 'typescript', 'mts'].includes(block.lang)) return 'ts';
  if (['sh', 'bash', 'shell'].includes(block.lang)) {
    const commands = block.body.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    return commands.length > 0 && commands.every((l) => NPM_SCRIPT_LINE.test(l.trim())) ? 'npm-scripts' : 'sh';
  }
  if (block.lang === 'sshconfig') {
    if (block.body.split('\n')[0].trim() !== CONFIG_FIRST_LINE) throw new Error(`${where}: a sshconfig block must start with "${CONFIG_FIRST_LINE}" (the file it is)`);
    return 'config';
  }
  if (block.lang === 'text') {
    if (previous === undefined || !['js', 'ts', 'sh'].includes(classify(previous))) {
      throw new Error(`${where}: a text block must follow a block that is run (it is that block's expected output)`);
    }
    return 'output';
  }
  throw new Error(`${where}: a \`\`\`${block.lang} block is neither run nor compiled: make it js, ts, sh or text, or put <!-- not-tested: reason --> before it`);
}

/** {@link classify}, or 'invalid' (reported by the first test) so that the other blocks still run. */
function kindOf(block, previous) {
  try {
    return classify(block, previous);
  } catch {
    return 'invalid';
  }
}

/** Replaces the README's placeholder server, user, key and proxies with the test's. */
function localize(body, env) {
  const { sshd, dante, tinyproxy } = env;
  let text = body
    .replace(/host: 'example\.com'(?:, port: 22\b)?/g, `host: '${sshd.host}', port: ${sshd.port}`)
    .replace(/'example\.com', 22\b/g, `'${sshd.host}', ${sshd.port}`)
    .replace(/'example\.com', '22'/g, `'${sshd.host}', '${sshd.port}'`)
    .replace(/'host':'example\.com','port':'22'/g, `'host':'${sshd.host}','port':'${sshd.port}'`)
    .replace(/--host example\.com --port 22\b/g, `--host ${sshd.host} --port ${sshd.port}`)
    .replace(/^(\s*)HostName example\.com[ \t]*$/gm, `$1HostName ${sshd.host}`)
    .replace(/^(\s*)Port 22[ \t]*$/gm, `$1Port ${sshd.port}`)
    .replace(/(\/home\/me|~)\/\.ssh\/id_ed25519/g, sshd.keys.ed25519)
    .replace(/\bdeploy\b/g, sshd.user);
  if (dante) {
    text = text
      .replace(/'proxy\.example', 1080\b/g, `'${dante.host}', ${dante.port}`)
      .replace(/--addr proxy\.example --port 1080\b/g, `--addr ${dante.host} --port ${dante.port}`);
  }
  if (tinyproxy) {
    text = text
      .replace(/'proxy\.example', 3128\b/g, `'${tinyproxy.host}', ${tinyproxy.port}`)
      .replace(/--addr proxy\.example --port 3128\b/g, `--addr ${tinyproxy.host} --port ${tinyproxy.port}`)
      .replace(/'proxyuser'/g, `'${tinyproxy.login}'`);
  }
  const left = /example\.com|proxy\.example/.exec(text);
  if (left !== null) throw new Error(`'${left[0]}' is used in a form this test cannot replace (see the header of test/integration/95-readme.test.mjs)`);
  return text;
}

/** Runs a command; resolves to {status, output}. */
function run(cmd, args, { cwd, env, timeoutMs = 120_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { output += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, output });
    });
  });
}

describe('README.md', () => {
  const blocks = fencedBlocks(README);

  it('every fenced block is run, compiled, checked, or marked not-tested with a reason (sparingly)', () => {
    let skipped = 0;
    blocks.forEach((block, i) => {
      if (classify(block, blocks[i - 1]) === 'skip') skipped++;
    });
    assert.ok(blocks.length >= 10, `only ${blocks.length} blocks found`);
    assert.ok(skipped <= MAX_NOT_TESTED, `${skipped} blocks are not tested (at most ${MAX_NOT_TESTED})`);
  });

  it('the checker itself refuses an unmarked block of another kind, an empty reason, and stray output', () => {
    const sample = (text) => fencedBlocks(text).map((b, i, all) => classify(b, all[i - 1]));
    assert.throws(() => sample('```python\nprint(1)\n```\n'), /neither run nor compiled/);
    assert.throws(() => sample('```\nplain\n```\n'), /neither run nor compiled/);
    assert.throws(() => sample('<!-- not-tested: -->\n```sh\nx\n```\n'), /needs a reason/);
    assert.throws(() => sample('```text\nout\n```\n'), /must follow a block that is run/);
    assert.throws(() => sample('```sshconfig\nHost x\n```\n'), /must start with "# ~\/\.ssh\/config"/);
    assert.deepEqual(sample('```sshconfig\n# ~/.ssh/config\nHost x\n```\n'), ['config']);
    assert.deepEqual(sample('<!-- not-tested: registry -->\n\n```sh\nnpm install x\n```\n```sh\nnpm test\n```\n```js\n1\n```\n```text\n1\n```\n'),
      ['skip', 'npm-scripts', 'js', 'output']);
  });

  it("the quick start's commands are npm scripts of this package", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    const checked = blocks.filter((b, i) => kindOf(b, blocks[i - 1]) === 'npm-scripts');
    assert.ok(checked.length > 0);
    for (const block of checked) {
      for (const line of block.body.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
        const name = /^npm (?:run )?([\w:-]+)/.exec(line)[1];
        assert.ok(Object.hasOwn(scripts, name), `README.md:${block.line}: npm script '${name}' does not exist`);
      }
    }
    // What they are said to do: the demo and the test run set the machine up first.
    assert.match(fs.readFileSync(path.join(ROOT, 'scripts', 'demo.sh'), 'utf8'), /scripts\/setup\.sh/);
  });

  it('the ssh2 / node-ssh table agrees with lib/known-keys.ts', () => {
    const keys = require(path.join(ROOT, 'dist', 'known-keys.js'));
    const section = README.slice(README.indexOf('## Coming from ssh2 / node-ssh'));
    const table = section.slice(0, section.indexOf('\n\n', section.indexOf('|---')));
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ssh2 / node-ssh'));
    assert.ok(rows.length > 10);
    const specFor = (name) => {
      const [head, rest] = name.includes('.') ? name.split('.') : [undefined, name];
      const specs = head === undefined ? [keys.CONNECT_KEYS, keys.EXEC_KEYS]
        : { algorithms: [keys.ALGORITHM_KEYS], hostKey: [keys.HOST_KEY_KEYS], pty: [keys.PTY_KEYS], proxy: [keys.PROXY_KEYS] }[head] ?? [];
      return { rest, specs };
    };
    for (const row of rows) {
      const [first, second] = row.split(' | ').map((c) => c.replace(/^\| /, ''));
      if (second.startsWith('not supported yet')) continue; // API methods, not options
      const unsupported = second.startsWith('not supported');
      for (const [, token] of first.matchAll(/`([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)?)`/g)) {
        const { rest, specs } = specFor(token);
        const hint = specs.map((s) => s.hints?.[rest]).find((h) => h !== undefined);
        const known = specs.some((s) => s.names.includes(rest)) || hint !== undefined;
        assert.ok(known, `README's ssh2 table names '${token}', which lib/known-keys.ts does not know`);
        if (unsupported) assert.match(hint?.note ?? '', /not supported/, `README calls '${token}' not supported; lib/known-keys.ts does not`);
      }
    }
    const tableText = table;
    for (const spec of [keys.CONNECT_KEYS, keys.EXEC_KEYS, keys.ALGORITHM_KEYS, keys.HOST_KEY_KEYS, keys.PTY_KEYS]) {
      for (const [name, hint] of Object.entries(spec.hints ?? {})) {
        if (!/ssh2's|node-ssh's/.test(hint.note ?? '')) continue;
        const shown = spec === keys.ALGORITHM_KEYS ? `algorithms.${name}` : name;
        assert.ok(tableText.includes(`\`${shown}\``), `lib/known-keys.ts has a hint for ${shown} (${hint.note}); the README's table does not mention it`);
      }
    }
  });

  describe('the examples, against a local sshd', () => {
    const env = {};
    let app;
    before(async () => {
      env.sshd = await startSshd();
      env.dante = await startDante().catch(() => undefined);
      env.tinyproxy = await startTinyproxy({ auth: 'basic' }).catch(() => undefined);
      app = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-readme-'));
      fs.mkdirSync(path.join(app, 'node_modules'));
      fs.symlinkSync(ROOT, path.join(app, 'node_modules', 'native-ssh'), 'dir');
      fs.mkdirSync(path.join(app, 'bin'));
      fs.writeFileSync(path.join(app, 'bin', 'native-ssh'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'native-ssh.js')}" "$@"\n`, { mode: 0o755 });
      fs.mkdirSync(path.join(app, 'home'), { mode: 0o700 });
      const base = envWithoutSecrets(['SSH_AUTH_SOCK']);
      env.vars = {
        ...base,
        HOME: path.join(app, 'home'),
        PATH: `${path.join(app, 'bin')}:${path.dirname(process.execPath)}:${process.env.PATH}`,
        ...(env.sshd.password ? { SSH_PASSWORD: env.sshd.password, NATIVE_SSH_PASSWORD: env.sshd.password } : {}),
        ...(env.tinyproxy?.password ? { PROXY_PASSWORD: env.tinyproxy.password } : {}),
      };
    });
    after(async () => {
      await Promise.all([env.sshd?.stop(), env.dante?.stop(), env.tinyproxy?.stop()]);
      if (app) fs.rmSync(app, { recursive: true, force: true });
    });

    const outputs = new Map();
    blocks.forEach((block, i) => {
      const kind = kindOf(block, blocks[i - 1]);
      if (!['js', 'ts', 'sh', 'output', 'config'].includes(kind)) return;
      const needs = kind === 'output' ? blocks[i - 1].body : block.body;
      const skip = /SSH_PASSWORD/.test(needs) && !canUsePassword && 'password logins need root (the sshd fixture)';
      it(`README.md:${block.line} (${kind})`, { skip }, async (t) => {
        // The proxies are known only once before() ran: check again here.
        const late = (/proxy\.example', 1080|--port 1080/.test(needs) && !env.dante && 'dante did not start')
          || (/proxy\.example', 3128|--port 3128/.test(needs) && !env.tinyproxy && 'tinyproxy did not start');
        if (late) return t.skip(late);
        if (kind === 'config') {
          const file = path.join(env.vars.HOME, '.ssh', 'config');
          fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
          fs.writeFileSync(file, `${localize(block.body, env)}\n`, { mode: 0o600 });
          return undefined;
        }
        if (kind === 'output') {
          const got = outputs.get(blocks[i - 1].line);
          assert.ok(got !== undefined, 'the block before did not run');
          for (const line of block.body.split('\n').filter((l) => l.trim() !== '')) {
            assert.ok(got.includes(line.trim()), `expected output line not printed: ${line}\n--- printed:\n${got}`);
          }
          return undefined;
        }
        const work = fs.mkdtempSync(path.join(app, `block-${block.line}-`));
        const source = localize(block.body, env);
        let result;
        if (kind === 'js') {
          fs.writeFileSync(path.join(work, 'example.mjs'), source);
          result = await run(process.execPath, ['example.mjs'], { cwd: work, env: env.vars });
        } else if (kind === 'ts') {
          fs.writeFileSync(path.join(work, 'example.mts'), source);
          const compiled = await run(process.execPath, [TSC, '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
            '--skipLibCheck', 'false', '--outDir', work, path.join(work, 'example.mts')], { cwd: work, env: env.vars });
          assert.equal(compiled.status, 0, `tsc:\n${compiled.output}`);
          result = await run(process.execPath, ['example.mjs'], { cwd: work, env: env.vars });
        } else {
          fs.writeFileSync(path.join(work, 'example.sh'), source);
          result = await run('bash', ['-euo', 'pipefail', 'example.sh'], { cwd: work, env: env.vars });
        }
        assert.equal(result.status, 0, `exit status ${result.status} (${result.signal ?? 'no signal'}):\n${result.output}\n--- ran:\n${source}`);
        assert.doesNotMatch(result.output, /result: false|"result":false/, `an OPI call failed:\n${result.output}`);
        outputs.set(block.line, result.output);
        if (process.env.README_TEST_SHOW) console.error(`--- README.md:${block.line}\n${result.output}`);
        return undefined;
      });
    });
  });
});
