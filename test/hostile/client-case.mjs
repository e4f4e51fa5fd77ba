// Child process of the hostile-peer suites (spawned by test/hostile/harness.mjs): runs one hostile
// call in a process of its own, so that a crash of the client is a failed test, not a dead test
// runner. All connections of a process share one engine thread, so a hostile peer must fail only
// its own call: this script first opens a healthy connection to the real sshd fixture, then starts
// the hostile call and, while it is pending, runs `echo ok` on the healthy connection every
// ~200 ms, recording the worst latency; it samples RSS every 50 ms; after the hostile call has
// settled it measures the process's CPU use for a moment (an engine that spins after a failure
// shows up there), closes the hostile connection and checks that the healthy one still works.
// Prints the report as one JSON line on stdout at each phase (the last line is the final one), also
// when its own deadline runs out or its memory runs away (it then kills itself).
//
//   node client-case.mjs '<spec JSON>'
//   spec: {healthy: ConnectOptions, connect: ConnectOptions, deadlineMs,
//          exec?: {command?, commandLength?, options?: {timeout, pty, env, stdin: {bytes, fill}}}}
//   commandLength n: the command is `printf %s xxx...x | wc -c`, n bytes long in all.

import { connect } from '../../dist/index.js';

const spec = JSON.parse(process.argv[2]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1024 * 1024;
const report = { phase: 'start', stage: null, outcome: null, settleMs: null };

/** Resolves to the promise's value, or rejects after `ms`. */
async function bounded(ms, promise, what) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}
const failure = (error) => ({ ok: false, code: error?.code ?? null, message: String(error?.message ?? error) });

// ---- RSS: sampled every 50 ms; growth is counted from just before the hostile call -----------
let rssBase = process.memoryUsage().rss;
let rssPeak = rssBase;
// A runaway (far past the suites' 64 MB limit) is reported at once and the process stopped, so a
// client that buffers without bound cannot take the machine's memory with it.
const RSS_RUNAWAY = 256 * MB;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  if (rssPeak - rssBase > RSS_RUNAWAY) stop('rssRunaway');
}, 50);

// ---- the healthy connection and its pings -----------------------------------------------------
let worstMs = 0;
let pings = 0;
let pingSince = null;
let pinging = true;
const pingFailures = [];
// The hostile exec() call's synchronous part (the binding copies stdin on this thread: ~0.2 s for
// 64 MB on a slow machine) blocks every ping it overlaps; that is this process's JavaScript
// thread, not the engine, so it is taken out of the latencies (and reported as execCallMs).
let blockedFrom = 0;
let blockedTo = 0;
const latency = (start, end) => end - start - Math.max(0, Math.min(end, blockedTo) - Math.max(start, blockedFrom));
const worstLatency = () => Math.max(worstMs, pingSince === null ? 0 : latency(pingSince, Date.now()));

/** Writes the report as it stands as one JSON line (the parent reads the last one). */
function emit() {
  report.rssGrowthMB = Math.round(((rssPeak - rssBase) / MB) * 10) / 10;
  report.healthyWorstMs = worstLatency();
  report.healthyPings = pings;
  report.healthyFailures = pingFailures.slice(0, 5);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
/** Enters `phase`, writing the report so far: a crash later leaves the last state behind. */
function phase(name) {
  report.phase = name;
  emit();
}
function finish() {
  clearInterval(sampler);
  emit();
}

/**
 * Reports what is known and ends the process with SIGKILL: process.exit could wait for an engine
 * thread that never returns. `why`: 'deadline' (the hostile call still pending: a hang) or
 * 'rssRunaway'.
 */
function stop(why) {
  report[why] = true;
  if (report.outcome === null && report.hostileStarted !== undefined) {
    report.outcome = { pending: true, ageMs: Date.now() - report.hostileStarted };
  }
  finish();
  process.kill(process.pid, 'SIGKILL');
}
setTimeout(() => stop('deadline'), spec.deadlineMs).unref();

const healthy = await connect(spec.healthy);
if ((await healthy.exec('echo ok')).stdout !== 'ok\n') throw new Error('the healthy connection does not work');
phase('healthy connected');

// The command and stdin are made before the pings start (64 MB take a moment to fill).
let command = spec.exec?.command;
if (spec.exec?.commandLength !== undefined) {
  const overhead = 'printf %s  | wc -c'.length;
  command = `printf %s ${'x'.repeat(spec.exec.commandLength - overhead)} | wc -c`;
}
const execOptions = { ...(spec.exec?.options ?? {}) };
if (execOptions.stdin !== undefined && typeof execOptions.stdin === 'object') {
  execOptions.stdin = Buffer.alloc(execOptions.stdin.bytes, execOptions.stdin.fill ?? 0x61);
}

const pinger = (async () => {
  while (pinging) {
    const started = Date.now();
    pingSince = started;
    try {
      const result = await healthy.exec('echo ok');
      if (result.stdout !== 'ok\n') pingFailures.push(`echo ok printed ${JSON.stringify(result.stdout)}`);
    } catch (error) {
      pingFailures.push(`${error.code}: ${error.message}`);
    }
    pingSince = null;
    worstMs = Math.max(worstMs, latency(started, Date.now()));
    pings += 1;
    if (pinging) await sleep(200);
  }
})();

// ---- the hostile call --------------------------------------------------------------------------
await sleep(250); // a few pings first, so the latency covers the time before the hostile call too
rssBase = process.memoryUsage().rss;
rssPeak = rssBase;

let hostile = null;
report.stage = 'connect';
report.hostileStarted = Date.now();
phase('hostile call');
let stageStarted = report.hostileStarted;
try {
  hostile = await connect(spec.connect);
  report.hostKey = hostile.hostKey;
  report.algorithms = hostile.algorithms;
  if (spec.exec) {
    report.stage = 'exec';
    emit();
    blockedFrom = Date.now();
    const pending = hostile.exec(command, execOptions);
    blockedTo = Date.now();
    report.execCallMs = blockedTo - blockedFrom;
    stageStarted = blockedTo;
    const result = await pending;
    report.outcome = { ok: true, stdout: result.stdout.slice(0, 200), stdoutLength: result.stdout.length, exitCode: result.exitCode, signal: result.signal };
  } else {
    report.outcome = { ok: true };
  }
} catch (error) {
  report.outcome = failure(error);
}
report.settleMs = Date.now() - stageStarted;
phase('settled');

// ---- afterwards: is the engine idle, does the hostile connection close, is the healthy one fine --
const cpuStart = process.cpuUsage();
const cpuWindow = 500;
await sleep(cpuWindow);
const cpu = process.cpuUsage(cpuStart);
report.cpuAfter = Math.round(((cpu.user + cpu.system) / 1000 / cpuWindow) * 100) / 100;

if (hostile !== null) {
  const started = Date.now();
  try {
    await bounded(3000, hostile.close(), 'closing the hostile connection');
    report.closeMs = Date.now() - started;
  } catch (error) {
    report.closeError = error.message;
  }
}
pinging = false;
try {
  await bounded(3000, pinger, 'the last ping');
  const after = await bounded(3000, healthy.exec('echo after'), 'a command on the healthy connection afterwards');
  report.healthyAfter = after.stdout === 'after\n' ? 'ok' : `printed ${JSON.stringify(after.stdout)}`;
} catch (error) {
  report.healthyAfter = `${error.code ?? 'ERROR'}: ${error.message}`;
}
await bounded(3000, healthy.close(), 'closing the healthy connection').catch(() => undefined);
report.phase = 'done';
finish();
process.exit(0);
