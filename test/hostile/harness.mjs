// The parent side of the hostile-peer suites: runs one case in a child process
// (client-case.mjs) and checks what it reports. A case passes when the child exited by itself
// (code 0, no signal: a crash of the client is a failure, not a dead runner), the hostile call
// settled the expected way within its bound + 1 s, RSS grew by less than 64 MB, the healthy
// connection on the same engine answered every `echo ok` within 1 s and still works afterwards,
// and the process was idle once the hostile call had settled (no engine spinning).
//
//   const run = await runCase({ connect: fakeOptions(server), exec: {command: 'echo hi'} }, { boundMs: 3000 });
//   assertContained(run, { codes: ['TIMEOUT'], stage: 'connect', boundMs: 3000 });

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startSshd } from '../fixtures/sshd.mjs';
import { startFakeSshServer } from './fake-ssh-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Bounds are stretched against the sanitizer build (scripts/asan-tests.sh). */
export const SLOW = process.env.NATIVE_SSH_SANITIZED === '1' ? 3 : 1;
const RSS_LIMIT_MB = 64;
const LATENCY_LIMIT_MS = 1000;
const CPU_LIMIT = 0.5; // of one core, in the 500 ms after the hostile call settled

/** The real OpenSSH sshd the healthy connections go to. */
export function startHealthySshd() {
  return startSshd();
}

/** Connect options of the healthy connection (an Ed25519 key login to the sshd fixture). */
export function healthyOptions(sshd) {
  return { host: sshd.host, port: sshd.port, username: sshd.user, privateKeyPath: sshd.keys.ed25519, hostKey: { policy: 'off' }, connectTimeout: 10_000 };
}

/** Connect options for a fake server: password login, no host-key check, short bounds. */
export function fakeOptions(server, overrides = {}) {
  return { host: server.host, port: server.port, username: 'hostile', password: 'any', hostKey: { policy: 'off' }, connectTimeout: 2000, ...overrides };
}

/**
 * Runs client-case.mjs with `spec` ({healthy, connect, exec?}); `boundMs` is the hostile call's
 * bound, from which the child's deadline follows. Resolves to {code, signal, hung, report,
 * stderr, elapsed}.
 */
export function runCase(spec, { boundMs }) {
  // The slack covers the child's start, connect and healthy checks on a loaded machine (at load
  // 13 on 2 cores, 6 s was not enough); a hang still ends at the deadline.
  const deadlineMs = (boundMs + 15000) * SLOW;
  const killMs = deadlineMs + 3000 * SLOW;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.join(HERE, 'client-case.mjs'), JSON.stringify({ ...spec, deadlineMs })], {
      // glibc writes its fatal messages (heap corruption) to the terminal unless told otherwise.
      env: { ...process.env, LIBC_FATAL_STDERR_: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-8192); });
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, killMs);
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const exitedAt = Date.now();
      let report = null;
      const line = stdout.trim().split('\n').pop();
      try { report = line ? JSON.parse(line) : null; } catch { report = null; }
      resolve({ code, signal, hung, report, stderr, stdout, exitedAt, elapsed: exitedAt - started });
    });
  });
}

/** A one-line summary of a run, for failure messages and the suite's log. */
export function summary(run) {
  const stopped = run.report?.deadline ? ' (deadline)' : run.report?.rssRunaway ? ' (RSS runaway)' : '';
  const exit = run.hung ? 'hung (killed)' : run.signal ? `signal ${run.signal}${stopped}` : `exit ${run.code}`;
  if (run.report === null) return `${exit}; no report`;
  const r = run.report;
  const o = r.outcome ?? {};
  let outcome;
  if (r.outcome === null) {
    const since = r.hostileStarted === undefined ? '' : `, ${run.exitedAt - r.hostileStarted} ms after the hostile call started`;
    outcome = `not settled (phase ${r.phase}${since})`;
  } else {
    const ended = o.signal ? ` (signal ${o.signal})` : o.exitCode ? ` (exit code ${o.exitCode})` : '';
    outcome = o.pending ? `pending after ${o.ageMs} ms` : o.ok ? `ok ${JSON.stringify(o.stdout ?? '')}${ended}` : `${o.code}: ${o.message}`;
  }
  const call = r.execCallMs >= 50 ? ` (+ ${r.execCallMs} ms in the exec() call)` : '';
  const settle = r.settleMs === null ? '' : `; settle ${r.settleMs} ms${call}`;
  const after = r.cpuAfter === undefined ? '' : `; cpu after ${r.cpuAfter}; healthy after: ${r.healthyAfter ?? '-'}`;
  return `${exit}; stage ${r.stage}; ${outcome}${settle}; RSS +${r.rssGrowthMB} MB; ` +
    `healthy worst ${r.healthyWorstMs} ms (${r.healthyPings} pings)${after}`;
}

/**
 * Asserts the case was contained. expect: {ok?: true, codes?: string[], stage?, boundMs,
 * message?: RegExp, rssAllowanceMB?: number (added to the 64 MB, e.g. for a copied stdin),
 * healthyLatencyMs?: number (instead of the 1 s limit, for a case known to block the engine),
 * check?: (report) => string | undefined (a further problem, asked once the call settled)}.
 */
export function assertContained(run, expect, serverProblems = []) {
  const problems = [];
  const r = run.report;
  const tail = run.stderr.trim().split('\n').slice(-12).join('\n');
  if (run.hung) problems.push(`hang: the child was killed after its deadline without reporting there (its JavaScript thread was blocked too; phase: ${r?.phase ?? 'unknown'})`);
  else if (r?.deadline) problems.push(`hang: the child's deadline ran out (phase: ${r.phase})`);
  else if (r?.rssRunaway) problems.push(`memory runaway: RSS grew past 256 MB, the child stopped itself (phase: ${r.phase})`);
  else if (run.signal !== null) problems.push(`crash: the client process was killed by ${run.signal}`);
  else if (run.code !== 0) problems.push(`the client process exited with ${run.code}`);
  if (r === null && !run.signal && !run.hung) problems.push('no report from the child');
  const o = r?.outcome;
  const settled = o !== null && o !== undefined && !o.pending;
  if (r !== null && !settled && (run.signal === null || r.deadline)) {
    problems.push(`the hostile call did not settle (${o?.pending ? `pending after ${o.ageMs} ms` : `phase ${r.phase}`})`);
  } else if (settled) {
    if (expect.ok === true) {
      if (!o.ok) problems.push(`expected success, got ${o.code}: ${o.message}`);
    } else if (expect.ok === 'either') {
      if (!o.ok && !expect.codes.includes(o.code)) problems.push(`expected success or ${expect.codes.join('/')}, got ${o.code}: ${o.message}`);
    } else if (o.ok) {
      problems.push(`expected ${expect.codes.join('/')}, got success ${JSON.stringify(o.stdout ?? '')}`);
    } else if (!expect.codes.includes(o.code)) {
      problems.push(`expected ${expect.codes.join('/')}, got ${o.code}: ${o.message}`);
    }
    if (!o.ok && expect.message && !expect.message.test(o.message)) problems.push(`the message does not match ${expect.message}: ${o.message}`);
    if (expect.stage && r.stage !== expect.stage) problems.push(`settled at stage ${r.stage}, expected ${expect.stage}`);
    if (r.settleMs > expect.boundMs + 1000 * SLOW) problems.push(`settled after ${r.settleMs} ms (bound ${expect.boundMs} + 1000 ms)`);
    const more = expect.check?.(r);
    if (more) problems.push(more);
  }
  if (r) {
    const rssLimit = RSS_LIMIT_MB + (expect.rssAllowanceMB ?? 0);
    if (r.rssGrowthMB >= rssLimit) problems.push(`RSS grew by ${r.rssGrowthMB} MB (limit ${rssLimit})`);
    if (r.healthyWorstMs >= (expect.healthyLatencyMs ?? LATENCY_LIMIT_MS) * SLOW) problems.push(`the healthy connection's worst echo latency was ${r.healthyWorstMs} ms`);
    if (r.healthyFailures?.length > 0) problems.push(`healthy pings failed: ${r.healthyFailures.join('; ')}`);
    if (r.phase === 'done' && r.healthyAfter !== 'ok') problems.push(`the healthy connection afterwards: ${r.healthyAfter}`);
    if (r.cpuAfter !== undefined && r.cpuAfter > CPU_LIMIT * SLOW) problems.push(`the process used ${r.cpuAfter} of a core after the hostile call settled (an engine spinning?)`);
    if (r.closeError) problems.push(r.closeError);
  }
  problems.push(...serverProblems);
  if (problems.length > 0) {
    assert.fail(`${problems.join('\n')}\n-- ${summary(run)}${tail ? `\n-- client stderr:\n${tail}` : ''}`);
  }
}

/**
 * One case against a fake server: starts it with `plan`, runs the client (connect options on top
 * of fakeOptions, optional exec), logs the summary on the test context `t`, and asserts with
 * `expect` (bound included) and `check(server, run)` (assertions on what the server saw; their
 * failures are reported together with the client's).
 */
export async function fakeServerCase(t, sshd, { plan = {}, connect = {}, exec, boundMs, expect, check }) {
  const server = await startFakeSshServer(plan);
  try {
    const connectOptions = typeof connect === 'function' ? connect(server) : connect;
    const run = await runCase({ healthy: healthyOptions(sshd), connect: fakeOptions(server, connectOptions), exec }, { boundMs });
    t.diagnostic(summary(run));
    const serverProblems = [];
    try {
      check?.(server, run);
    } catch (error) {
      serverProblems.push(`what the server saw: ${error.message.split('\n')[0]}`);
    }
    assertContained(run, { boundMs, ...expect }, serverProblems);
    return run;
  } finally {
    await server.stop();
  }
}
