// The workloads. Each one measures one client once (one repetition) and returns
// {value, ...extra}; run.mjs interleaves the clients per repetition and takes medians.
// Benchmarks report, they never assert: a failed run is recorded as a failure and the bench goes on.

import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { serverClock } from './server-cpu.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const now = () => performance.now();

/** 256 MiB, the throughput workload's output. */
export const THROUGHPUT_BYTES = 256 * 1024 * 1024;

/**
 * CPU time of this process (all threads: native-ssh's engine thread included; sshd and the
 * commands are other processes) from now; the returned function gives ms so far.
 */
function cpuClock() {
  const start = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(start);
    return (d.user + d.system) / 1000;
  };
}

/** Event-loop delay recorder at 1 ms resolution; p99/max in ms. */
function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return () => {
    h.disable();
    return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  };
}

function check(r, what) {
  if (r.exitCode !== 0) throw new Error(`${what}: exit code ${r.exitCode}`);
}

/** connect + key login + `true` + close, `iterations` times in sequence; value = ms per op. */
async function oneShot(client, sshd, { iterations }) {
  const server = serverClock(sshd);
  const cpu = cpuClock();
  const t0 = now();
  for (let i = 0; i < iterations; i++) {
    const c = await client.connect(sshd);
    try {
      check(await c.exec('true'), 'true');
    } finally {
      await c.close();
    }
  }
  const value = (now() - t0) / iterations;
  const cpuMs = cpu();
  return { value, cpuMs, serverCpuMs: await server() };
}

/** `echo hi` × count on one open connection; value = ms per command. */
async function sequential(client, sshd, { count }) {
  const c = await client.connect(sshd);
  try {
    await c.exec('true'); // the first channel of a connection is not what is measured
    const server = serverClock(sshd);
    const cpu = cpuClock();
    const t0 = now();
    for (let i = 0; i < count; i++) check(await c.exec('echo hi'), 'echo hi');
    const value = (now() - t0) / count;
    const cpuMs = cpu();
    return { value, cpuMs, serverCpuMs: await server() };
  } finally {
    await c.close();
  }
}

/** count commands at once on one connection; value = ms until all have returned. */
async function parallel(client, sshd, { count }) {
  const c = await client.connect(sshd);
  try {
    await c.exec('true');
    const server = serverClock(sshd);
    const cpu = cpuClock();
    const t0 = now();
    const results = await Promise.all(Array.from({ length: count }, (_, i) => c.exec(`echo ${i}`)));
    const ms = now() - t0;
    const cpuMs = cpu();
    results.forEach((r) => check(r, 'echo'));
    return { value: ms, cpuMs, serverCpuMs: await server() };
  } finally {
    await c.close();
  }
}

/** Starts bench/idle-probe.mjs, an idle process measuring its own event-loop delay; stop() → {p99, max}. */
async function idleProbe() {
  const child = fork(path.join(here, 'idle-probe.mjs'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = async () => (await once(child, 'message'))[0];
  await next(); // ready
  child.send('start');
  await next(); // started
  return {
    async stop() {
      child.send('stop');
      return next();
    },
  };
}

/**
 * count connections at once, each runs one command and closes; value = ms until all are done,
 * with the event-loop delay (p99, max) over the whole run, and that of an idle control process
 * over the same time (idleP99: what the machine alone does to an event loop).
 */
async function fanOut(client, sshd, { count }) {
  const probe = await idleProbe();
  const server = serverClock(sshd, 300);
  const stop = loopDelay();
  const cpu = cpuClock();
  const t0 = now();
  const settled = await Promise.allSettled(Array.from({ length: count }, async () => {
    const c = await client.connect(sshd);
    try {
      check(await c.exec('echo hi'), 'echo hi');
    } finally {
      await c.close();
    }
  }));
  const ms = now() - t0;
  const cpuMs = cpu();
  const { p99, max } = stop();
  const idle = await probe.stop();
  const serverCpuMs = await server();
  const failed = settled.filter((s) => s.status === 'rejected');
  if (failed.length) throw new Error(`${failed.length}/${count} connections failed: ${failed[0].reason?.message}`);
  return { value: ms, p99, max, idleP99: idle.p99, cpuMs, serverCpuMs };
}

/** `head -c 256MiB /dev/zero` on an open connection; value = MB/s (10^6 bytes per second). */
async function throughput(client, sshd) {
  const c = await client.connect(sshd);
  try {
    await c.exec('true');
    const stop = loopDelay();
    const cpu = cpuClock();
    const t0 = now();
    const r = await c.exec(`head -c ${THROUGHPUT_BYTES} /dev/zero`, { buffer: true });
    const s = (now() - t0) / 1000;
    const cpuMs = cpu();
    const { p99 } = stop();
    check(r, 'head');
    if (r.bytes !== THROUGHPUT_BYTES) throw new Error(`got ${r.bytes} bytes, expected ${THROUGHPUT_BYTES}`);
    return { value: THROUGHPUT_BYTES / 1e6 / s, seconds: s, p99, cpuMs };
  } finally {
    await c.close();
  }
}

/** RSS per idle connection, measured in a fresh child process; value = KiB per connection. */
function memory(client, sshd, { count }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', path.join(here, 'memory-child.mjs'), client.id, String(count)], {
      env: { ...process.env, BENCH_SSHD: JSON.stringify(sshd) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) {
        reject(new Error(`memory child exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      const r = JSON.parse(line);
      resolve({
        value: r.perConnection / 1024,
        heapKiB: r.heapPerConnection / 1024,
        externalKiB: r.externalPerConnection / 1024,
        rssBeforeMiB: r.rssBefore / 2 ** 20,
      });
    });
  });
}

/**
 * The workloads in the order they run. `clients`: which client ids take part; the ratio is
 * native / ssh2 (TCP_NODELAY). `target`: the goal for native-ssh (null: for information).
 */
export function workloads(o) {
  return [
    {
      id: 'one-shot',
      title: `one-shot: connect + login + \`true\` + close (× ${o.oneShot}, sequential)`,
      unit: 'ms/op', better: 'lower', sshd: 'general', reps: o.reps,
      clients: ['native', 'ssh2', 'ssh2-nagle'],
      target: { ratio: 0.8 },
      run: (c, s) => oneShot(c, s, { iterations: o.oneShot }),
      warmup: (c, s) => oneShot(c, s, { iterations: 2 }),
    },
    {
      id: 'sequential',
      title: `sequential exec: \`echo hi\` × ${o.sequential} on one connection`,
      unit: 'ms/cmd', better: 'lower', sshd: 'general', reps: o.reps,
      clients: ['native', 'ssh2', 'ssh2-nagle'],
      target: { ratio: 0.9 },
      run: (c, s) => sequential(c, s, { count: o.sequential }),
      warmup: (c, s) => sequential(c, s, { count: 10 }),
    },
    {
      id: 'parallel',
      title: `parallel exec: ${o.parallel} commands at once on one connection (MaxSessions 128)`,
      unit: 'ms', better: 'lower', sshd: 'general', reps: o.reps,
      clients: ['native', 'ssh2'],
      target: { ratio: 1.0 },
      run: (c, s) => parallel(c, s, { count: o.parallel }),
      warmup: (c, s) => parallel(c, s, { count: 10 }),
    },
    {
      id: 'fan-out',
      title: `fan-out: ${o.fanOut} connections at once, one command each`,
      unit: 'ms', better: 'lower', sshd: 'general', reps: o.reps,
      clients: ['native', 'ssh2'],
      target: { ratio: 0.7, p99: 5 },
      run: (c, s) => fanOut(c, s, { count: o.fanOut }),
      warmup: (c, s) => fanOut(c, s, { count: 5 }),
    },
    {
      id: 'fan-out-pinned',
      title: `fan-out, sshd pinned to one core (the client has a core of its own, as with a remote server)`,
      unit: 'ms', better: 'lower', sshd: 'pinned', reps: o.reps,
      clients: ['native', 'ssh2'],
      target: null,
      run: (c, s) => fanOut(c, s, { count: o.fanOut }),
      warmup: (c, s) => fanOut(c, s, { count: 5 }),
    },
    {
      id: 'throughput-gcm',
      title: 'throughput: 256 MiB of stdout, aes128-gcm@openssh.com',
      unit: 'MB/s', better: 'higher', sshd: 'gcm', reps: o.tpReps,
      clients: ['native', 'ssh2'],
      target: { ratio: 1.0 },
      run: (c, s) => throughput(c, s),
    },
    {
      id: 'throughput-ctr',
      title: 'throughput: 256 MiB of stdout, aes128-ctr + hmac-sha2-256',
      unit: 'MB/s', better: 'higher', sshd: 'ctr', reps: o.tpReps,
      clients: ['native', 'ssh2'],
      target: { ratio: 1.0 },
      run: (c, s) => throughput(c, s),
    },
    {
      id: 'memory',
      title: `memory: RSS per idle connection over ${o.memory} connections (fresh process per run)`,
      unit: 'KiB/conn', better: 'lower', sshd: 'general', reps: o.memReps,
      clients: ['native', 'ssh2'],
      target: { ratio: 0.5 },
      run: (c, s) => memory(c, s, { count: o.memory }),
    },
  ];
}
