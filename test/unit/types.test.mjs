// The public types as a user gets them: dist/*.d.ts and package.json are put into
// node_modules/native-ssh of a scratch app (what `npm install` gives, minus the binaries), and
// test/unit/types/api.ts, which imports 'native-ssh', is compiled there with tsc in strict mode.
// `"types": []` leaves Node's types out of the app, so they come only through the package's own
// `/// <reference types="node" />`. api.ts holds the documented usage and, with
// `@ts-expect-error`, the misuse that must not compile (a login-less options object, a misspelt
// proxy type, GetLog's result taken as the wrong type, internal members): tsc fails when one of
// those errors goes away.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The package's declaration files, relative to dist/ (lib/opi/ compiles to dist/opi/). */
function declarations() {
  return fs.readdirSync(path.join(ROOT, 'dist'), { recursive: true }).filter((name) => name.endsWith('.d.ts')).sort();
}

/**
 * A scratch app whose node_modules/native-ssh holds the package's declarations and package.json,
 * and node_modules/@types/node the repository's. Returns its directory.
 */
export function scratchApp(prefix) {
  const app = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const pkg = path.join(app, 'node_modules', 'native-ssh');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  for (const name of declarations()) {
    fs.mkdirSync(path.dirname(path.join(pkg, 'dist', name)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'dist', name), path.join(pkg, 'dist', name));
  }
  fs.mkdirSync(path.join(app, 'node_modules', '@types'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(app, 'node_modules', '@types', 'node'), 'dir');
  return app;
}

/** Runs the repository's tsc; resolves to {status, output}. */
export function tsc(args) {
  const run = spawnSync(process.execPath, [TSC, ...args], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('the published declarations', () => {
  let app;
  before(() => {
    app = scratchApp('nssh-types-');
    for (const name of ['api.ts', 'tsconfig.json']) fs.copyFileSync(path.join(ROOT, 'test', 'unit', 'types', name), path.join(app, name));
  });
  after(() => {
    if (app) fs.rmSync(app, { recursive: true, force: true });
  });

  it('start with a reference to Node types and hold no internal member', () => {
    const index = fs.readFileSync(path.join(ROOT, 'dist', 'index.d.ts'), 'utf8');
    assert.match(index, /^\/\/\/ <reference types="node"/);
    const connection = fs.readFileSync(path.join(ROOT, 'dist', 'connection.d.ts'), 'utf8');
    for (const internal of ['fromEngine', 'NoticeRoute', 'SessionHandle']) {
      assert.ok(!connection.includes(internal), `dist/connection.d.ts shows ${internal}`);
    }
    for (const name of declarations()) {
      const text = fs.readFileSync(path.join(ROOT, 'dist', name), 'utf8');
      for (const internal of ['execRaw', 'submitExec', 'connectPlan']) assert.ok(!text.includes(internal), `dist/${name} shows ${internal}`);
    }
  });

  it('type-check the documented usage and reject misuse (strict, CommonJS resolution)', () => {
    const run = tsc(['-p', path.join(app, 'tsconfig.json')]);
    assert.equal(run.status, 0, run.output);
  });

  it('the same under module "nodenext"', () => {
    const run = tsc(['-p', path.join(app, 'tsconfig.json'), '--module', 'nodenext', '--moduleResolution', 'nodenext']);
    assert.equal(run.status, 0, run.output);
  });
});
