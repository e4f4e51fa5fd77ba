#!/usr/bin/env node
// `npm test`: makes sure everything is installed and built (scripts/setup.sh, idempotent), runs
// the core C++ unit tests (CMake + ctest) and a short fuzz smoke, then every node:test suite in
// test/unit/, test/integration/, test/lifecycle/ and test/hostile/, against the real servers (and
// fake hostile ones) those suites start themselves on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function step(title, cmd, args, options = {}) {
  console.log(`\n== ${title}`);
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`== ${title}: failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
}

if (process.env.NATIVE_SSH_SKIP_SETUP !== '1') step('setup', 'bash', ['scripts/setup.sh']);

const cmakeDir = 'build-cmake';
if (!fs.existsSync(path.join(cmakeDir, 'CMakeCache.txt'))) {
  step('configure core tests', 'cmake', ['-S', '.', '-B', cmakeDir, '-DCMAKE_BUILD_TYPE=Release'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
step('build core tests', 'cmake', ['--build', cmakeDir, '-j', '2'], { stdio: ['ignore', 'ignore', 'inherit'] });
step('core unit tests (ctest)', 'ctest', ['--test-dir', cmakeDir, '--output-on-failure']);

// A short fuzz smoke of every libFuzzer target (clang); the long runs are `scripts/fuzz.sh 600`.
if (process.env.NATIVE_SSH_SKIP_FUZZ !== '1') step('fuzz smoke (5 s per target)', 'bash', ['scripts/fuzz.sh', '5']);

// The *.test.mjs suites of each folder (their other files are helpers and child processes): pure
// logic first, then real servers, lifecycles in child processes, hostile peers. test/stress/ runs
// apart (npm run test:stress).
const SUITE_DIRS = ['unit', 'integration', 'lifecycle', 'hostile'];
const suitesIn = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(dir, f));
const files = SUITE_DIRS.flatMap((dir) => suitesIn(path.join('test', dir)));
const only = process.argv.slice(2);
// accept-new records new hosts in ~/.ssh/known_hosts: the suites get a home of their own (the
// fixtures also point HOME at a temporary directory, for suites run alone).
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nssh-test-home-'));
try {
  step('node:test suites', process.execPath, ['--test', '--test-concurrency=2', ...(only.length ? only : files)], {
    env: {
      ...process.env,
      HOME: home,
      npm_config_userconfig: process.env.npm_config_userconfig ?? path.join(os.homedir(), '.npmrc'),
      npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), '.npm'),
    },
  });
} finally {
  fs.rmSync(home, { recursive: true, force: true });
}
