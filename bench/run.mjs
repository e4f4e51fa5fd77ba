#!/usr/bin/env node
// `npm run bench`: native-ssh against the npm ssh2 client, same local sshd, same run.
//
// Starts OpenSSH sshd with the test fixture (127.0.0.1, Ed25519 key login), runs every workload
// of workloads.mjs with the clients interleaved per repetition (native, ssh2, ...; the order flips
// every other repetition), takes medians, and prints a markdown report: machine, negotiated
// algorithms, medians, ratio native-ssh / ssh2 (TCP_NODELAY), target, met or not. A full run also
// writes it to bench/RESULTS.md. Benchmarks report; they never assert.
//
// ssh2 is a dependency of the bench only (bench/package.json); it is installed with
// `npm install --prefix bench` when bench/node_modules/ssh2 is missing. native-ssh is the built
// package in ../dist (run `npm run build` or `bash scripts/setup.sh` first).
//
// Options: --reps=N (default 5), --tp-reps=N (throughput, default 5), --mem-reps=N (default 3),
//   --only=id,id (one-shot, sequential, parallel, fan-out, throughput-gcm, throughput-ctr, memory;
//   a partial run does not write RESULTS.md), --quick (1 repetition, small counts, no RESULTS.md),
//   --no-write, --write (write RESULTS.md even for a partial run).

import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

// ---------------------------------------------------------------- options
const args = new Map(process.argv.slice(2).map((a) => {
  const m = a.match(/^--([^=]+)(?:=(.*))?$/);
  if (!m) {
    console.error(`bench: unknown argument ${a}`);
    process.exit(2);
  }
  return [m[1], m[2] ?? true];
}));
const quick = args.has('quick');
const num = (name, dflt) => {
  const v = args.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
};
const opts = {
  reps: num('reps', quick ? 1 : 5),
  tpReps: num('tp-reps', quick ? 1 : 5),
  memReps: num('mem-reps', quick ? 1 : 3),
  oneShot: quick ? 5 : 20,
  sequential: quick ? 50 : 300,
  parallel: 100,
  fanOut: 100,
  memory: 100,
};
const only = typeof args.get('only') === 'string' ? new Set(args.get('only').split(',')) : null;
const write = args.has('write') || (!args.has('no-write') && !quick && only === null);

// ---------------------------------------------------------------- prerequisites
if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error('bench: dist/index.js is missing: build native-ssh first (npm run build, or bash scripts/setup.sh)');
  process.exit(1);
}
if (!fs.existsSync(path.join(here, 'node_modules', 'ssh2', 'package.json'))) {
  console.log('bench: installing ssh2 for the bench (npm install --prefix bench)');
  const r = spawnSync('npm', ['install', '--prefix', 'bench', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench: npm install --prefix bench failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

const { clients, nativeSsh, ssh2Info } = await import('./clients.mjs');
const { workloads } = await import('./workloads.mjs');
const { startSshd } = await import(pathToFileURL(path.join(root, 'test', 'fixtures', 'sshd.mjs')).href);

// ---------------------------------------------------------------- helpers
const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits) => {
  if (!Number.isFinite(x)) return 'n/a';
  const d = digits ?? (Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toFixed(d);
};
const log = (...a) => console.error(...a); // progress on stderr, the report on stdout

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function sh(cmd, argv) {
  try {
    const r = spawnSync(cmd, argv, { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  } catch {
    return '';
  }
}

function machine() {
  let cpu = 'unknown';
  try {
    cpu = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpu;
  } catch { /* not Linux */ }
  const v = nativeSsh.versions();
  const s = ssh2Info();
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    openssh: sh('ssh', ['-V']).split('\n')[0],
    native: `addon ${v.addon}, libssh2 ${v.libssh2}, ${v.openssl}`,
    patches: libssh2Patches(),
    ssh2: `${s.version} (optional native crypto binding loaded: ${s.binding})`,
  };
}

/** Our libssh2 patches (patches/libssh2/*.patch): the build applies them to deps/libssh2. */
function libssh2Patches() {
  try {
    const names = fs.readdirSync(path.join(root, 'patches', 'libssh2')).filter((f) => f.endsWith('.patch')).sort();
    return names.length ? names.map((n) => `\`${n}\``).join(', ') : 'none';
  } catch {
    return 'none';
  }
}

/** sshd's effective MaxSessions for our user (checks that the Match block took effect). */
function effectiveMaxSessions(sshd) {
  try {
    const out = execFileSync('/usr/sbin/sshd', ['-T', '-f', path.join(sshd.dir, 'sshd_config'),
      '-C', `user=${sshd.user},host=localhost,addr=127.0.0.1,laddr=127.0.0.1,lport=${sshd.port}`], { encoding: 'utf8' });
    return out.match(/^maxsessions (\d+)$/m)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------- sshd instances
// sshd keeps the first value it reads for a keyword, and the fixture already says MaxSessions 64:
// a `Match all` block at the end is applied per connection and overrides it.
const SSHD_CONFIGS = {
  general: ['Match all', 'MaxSessions 128'],
  pinned: ['Match all', 'MaxSessions 128'],
  gcm: ['Ciphers aes128-gcm@openssh.com'],
  ctr: ['Ciphers aes128-ctr', 'MACs hmac-sha2-256'],
};
const running = new Map();
async function sshdFor(name) {
  if (!running.has(name)) {
    const sshd = await startSshd({ config: SSHD_CONFIGS[name], authorize: ['ed25519'] });
    running.set(name, sshd);
    // 'pinned': sshd (and every process it forks) on the last core only, so that the client has
    // a core the server does not use, as with a remote server.
    if (name === 'pinned') notes.push(`pinned sshd: ${pin(sshd)}`);
  }
  return running.get(name);
}
function pin(sshd) {
  const cpu = info.cores - 1;
  if (cpu < 1) return 'one core only: not pinned; figures are as for the plain fan-out.';
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(sshd.pid)], { stdio: 'ignore' });
    return `listener pid ${sshd.pid} pinned to CPU ${cpu} with taskset (its connections inherit it); the client may use every core.`;
  } catch (e) {
    return `taskset failed (${e.message.split('\n')[0]}); figures are as for the plain fan-out.`;
  }
}
async function stopSshd(name) {
  const s = running.get(name);
  running.delete(name);
  if (s) await s.stop().catch(() => {});
}
let interrupted = false;
process.on('SIGINT', async () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log('\nbench: interrupted, stopping sshd');
  await Promise.all([...running.keys()].map(stopSshd));
  process.exit(130);
});

// ---------------------------------------------------------------- run
const started = Date.now();
const loadStart = os.loadavg();
const info = machine();
const algorithms = []; // {sshd, client, ...}
const results = new Map(); // workload id -> {w, samples: Map(client -> [{value, ...}]), failures: Map(client -> [msg])}
const notes = [];

const selected = workloads(opts).filter((w) => only === null || only.has(w.id));
if (selected.length === 0) {
  console.error(`bench: --only matched no workload (ids: ${workloads(opts).map((w) => w.id).join(', ')})`);
  process.exit(2);
}

async function recordAlgorithms(sshdName, sshd) {
  for (const id of ['native', 'ssh2']) {
    try {
      const c = await withTimeout(clients[id].connect(sshd), 60_000, `${id} connect`);
      algorithms.push({ sshd: sshdName, client: clients[id].label, ...c.algorithms });
      await c.close();
    } catch (e) {
      algorithms.push({ sshd: sshdName, client: clients[id].label, error: e.message });
    }
  }
}

for (const w of selected) {
  const isNew = !running.has(w.sshd);
  const sshd = await sshdFor(w.sshd);
  if (isNew) {
    await recordAlgorithms(w.sshd, sshd);
    if (w.sshd === 'general') notes.push(`general sshd: effective MaxSessions ${effectiveMaxSessions(sshd)} (sshd -T).`);
  }
  const entry = { w, samples: new Map(), failures: new Map() };
  results.set(w.id, entry);
  for (const id of w.clients) { entry.samples.set(id, []); entry.failures.set(id, []); }
  log(`\n== ${w.title}`);
  if (w.warmup) {
    for (const id of w.clients) {
      try {
        await withTimeout(w.warmup(clients[id], sshd), 120_000, `${id} warm-up`);
      } catch (e) {
        log(`   warm-up ${clients[id].label}: ${e.message}`);
      }
    }
  }
  for (let rep = 0; rep < w.reps; rep++) {
    const order = rep % 2 === 0 ? w.clients : [...w.clients].reverse();
    const line = [];
    for (const id of order) {
      try {
        const r = await withTimeout(w.run(clients[id], sshd), 180_000, `${w.id} ${id}`);
        entry.samples.get(id).push(r);
        line.push(`${clients[id].label} ${fmt(r.value)}${r.p99 !== undefined ? ` (p99 ${fmt(r.p99)} ms)` : ''}`);
      } catch (e) {
        entry.failures.get(id).push(e.message);
        line.push(`${clients[id].label} FAILED (${e.message})`);
      }
    }
    log(`   rep ${rep + 1}/${w.reps} [${w.unit}]: ${line.join(' | ')}`);
  }
  // The throughput sshds are only used by their workload.
  if (w.sshd !== 'general') await stopSshd(w.sshd);
}
await Promise.all([...running.keys()].map(stopSshd));
const elapsed = (Date.now() - started) / 1000;
const loadEnd = os.loadavg();

// ---------------------------------------------------------------- report
function stat(entry, id, key = 'value') {
  const xs = (entry.samples.get(id) ?? []).map((s) => s[key]).filter((x) => x !== undefined);
  return median(xs);
}
function cell(entry, id, key = 'value') {
  if (!entry.samples.has(id)) return '—';
  const m = stat(entry, id, key);
  const n = entry.samples.get(id).length;
  const failed = entry.failures.get(id).length;
  return `${fmt(m)}${failed ? ` (${failed}/${n + failed} runs failed)` : ''}`;
}

const rows = [];
let met = 0;
let total = 0;
for (const { w, samples, failures } of results.values()) {
  const entry = { samples, failures };
  const n = stat(entry, 'native');
  const s = stat(entry, 'ssh2');
  const ratio = n / s;
  const target = w.target;
  if (target === null) {
    rows.push(`| ${w.title} | ${w.unit} | ${cell(entry, 'native')} | ${cell(entry, 'ssh2')} | ${cell(entry, 'ssh2-nagle')} | ${fmt(ratio, 2)} | (information) | — |`);
  } else {
    const ok = w.better === 'lower' ? ratio <= target.ratio : ratio >= target.ratio;
    const okText = Number.isFinite(ratio) ? (ok ? 'yes' : '**no**') : 'n/a';
    if (Number.isFinite(ratio)) { total++; if (ok) met++; }
    rows.push(`| ${w.title} | ${w.unit} | ${cell(entry, 'native')} | ${cell(entry, 'ssh2')} | ${cell(entry, 'ssh2-nagle')} | ${fmt(ratio, 2)} | ${w.better === 'lower' ? '≤' : '≥'} ${target.ratio.toFixed(1)} × | ${okText} |`);
  }
  if (samples.get('native')?.some((x) => x.p99 !== undefined) && w.id.startsWith('fan-out')) {
    const p = stat(entry, 'native', 'p99');
    const pTarget = target?.p99;
    const pOk = p <= pTarget;
    let okText = '—';
    if (pTarget !== undefined && Number.isFinite(p)) { total++; if (pOk) met++; okText = pOk ? 'yes' : '**no**'; }
    rows.push(`| ${w.id}: event-loop delay p99 (1 ms resolution) | ms | ${fmt(p)} | ${fmt(stat(entry, 'ssh2', 'p99'))} | — | — | ${pTarget !== undefined ? `native ≤ ${pTarget} ms` : '(information)'} | ${okText} |`);
    rows.push(`| ${w.id}: p99 of an idle control process during the same runs | ms | ${fmt(stat(entry, 'native', 'idleP99'))} | ${fmt(stat(entry, 'ssh2', 'idleP99'))} | — | — | (machine floor) | — |`);
  }
}

const cpuRows = [];
const boundRows = [];
for (const { w, samples, failures } of results.values()) {
  if (!samples.get('native')?.some((x) => x.cpuMs !== undefined)) continue;
  const entry = { samples, failures };
  const n = stat(entry, 'native', 'cpuMs');
  const s2 = stat(entry, 'ssh2', 'cpuMs');
  const nagle = samples.has('ssh2-nagle') ? fmt(stat(entry, 'ssh2-nagle', 'cpuMs')) : '—';
  const server = (id) => (samples.has(id) ? fmt(stat(entry, id, 'serverCpuMs')) : '—');
  cpuRows.push(`| ${w.id} | ${fmt(n)} | ${fmt(s2)} | ${nagle} | ${fmt(n / s2, 2)} | ${server('native')} | ${server('ssh2')} |`);
  if (w.id.startsWith('fan-out') && samples.get('native').some((x) => x.serverCpuMs !== undefined)) {
    // All the CPU work of a repetition (client + server) spread perfectly over the cores: no
    // client can finish sooner on this machine.
    const serverCores = w.id === 'fan-out-pinned' ? 1 : info.cores;
    const least = (id) => {
      const serverMs = stat(entry, id, 'serverCpuMs');
      return Math.max(serverMs / serverCores, ((id === 'native' ? n : s2) + serverMs) / info.cores);
    };
    const wall = (id) => stat(entry, id);
    boundRows.push(`| ${w.id} | ${fmt(stat(entry, 'native', 'serverCpuMs'))} | ${fmt(n)} | ${fmt(least('native'))} | ${fmt(wall('native'))} | ${fmt(wall('ssh2'))} | ${fmt(least('native') / wall('ssh2'), 2)} |`);
  }
}

const algoRows = algorithms.map((a) => (a.error
  ? `| ${a.sshd} | ${a.client} | connect failed: ${a.error} | | | |`
  : `| ${a.sshd} | ${a.client} | ${a.kex} | ${a.hostKey} | ${a.cipherClientToServer} / ${a.cipherServerToClient} | ${a.macClientToServer} / ${a.macServerToClient} |`));

const detail = [];
for (const { w, samples, failures } of results.values()) {
  detail.push(`- **${w.id}** (${w.unit}, ${w.better} is better)`);
  for (const [id, xs] of samples) {
    const extra = [];
    if (xs.some((x) => x.cpuMs !== undefined)) extra.push(`client CPU ms: ${xs.map((x) => fmt(x.cpuMs)).join(', ')}`);
    if (xs.some((x) => x.serverCpuMs !== undefined)) extra.push(`server CPU ms: ${xs.map((x) => fmt(x.serverCpuMs)).join(', ')}`);
    if (xs.some((x) => x.p99 !== undefined)) extra.push(`event-loop p99 ms: ${xs.map((x) => fmt(x.p99)).join(', ')}`);
    if (xs.some((x) => x.idleP99 !== undefined)) extra.push(`idle control process p99 ms: ${xs.map((x) => fmt(x.idleP99)).join(', ')}`);
    if (xs.some((x) => x.max !== undefined)) extra.push(`max ms: ${xs.map((x) => fmt(x.max)).join(', ')}`);
    if (xs.some((x) => x.heapKiB !== undefined)) extra.push(`JS heap KiB/conn: ${xs.map((x) => fmt(x.heapKiB)).join(', ')}; external KiB/conn: ${xs.map((x) => fmt(x.externalKiB)).join(', ')}; RSS before MiB: ${xs.map((x) => fmt(x.rssBeforeMiB)).join(', ')}`);
    const f = failures.get(id);
    if (f.length) extra.push(`failures: ${[...new Set(f)].join('; ')}`);
    detail.push(`  - ${clients[id].label}: ${xs.map((x) => fmt(x.value)).join(', ') || '(none)'}${extra.length ? `; ${extra.join('; ')}` : ''}`);
  }
  const nagle = stat({ samples, failures }, 'ssh2-nagle');
  if (Number.isFinite(nagle)) detail.push(`  - ratio native-ssh / ssh2 (default, Nagle on): ${fmt(stat({ samples, failures }, 'native') / nagle, 2)}`);
}

const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const report = `# native-ssh vs ssh2: benchmark results

${date}, \`npm run bench\`${quick ? ' --quick' : ''}${only ? ` --only=${[...only].join(',')}` : ''}; the whole run took ${fmt(elapsed / 60, 1)} min.
Medians over ${opts.reps} repetitions (throughput ${opts.tpReps}, memory ${opts.memReps}), clients interleaved per
repetition against the same sshd on 127.0.0.1, Ed25519 key login. Ratio = native-ssh / ssh2 with
TCP_NODELAY (for MB/s higher is better, for everything else lower is better).

## Machine

| | |
|---|---|
| CPU | ${info.cpu}, ${info.cores} cores, ${fmt(info.memGiB, 0)} GiB |
| OS | ${info.kernel} |
| Node | ${info.node} |
| OpenSSH (sshd) | ${info.openssh} |
| native-ssh | ${info.native} |
| libssh2 patches (patches/libssh2) | ${info.patches} |
| ssh2 | ${info.ssh2} |
| load average at start / end | ${loadStart.map((x) => x.toFixed(2)).join(' ')} / ${loadEnd.map((x) => x.toFixed(2)).join(' ')} |

## Negotiated algorithms

| sshd | client | kex | host key | cipher c→s / s→c | MAC c→s / s→c |
|---|---|---|---|---|---|
${algoRows.join('\n')}

sshd configurations: general = fixture defaults + \`Match all\` / \`MaxSessions 128\`; pinned = the same, on the last core only; gcm = \`Ciphers aes128-gcm@openssh.com\`; ctr = \`Ciphers aes128-ctr\`, \`MACs hmac-sha2-256\`.

## Results

| workload | unit | native-ssh | ssh2 (TCP_NODELAY) | ssh2 (default) | native / ssh2 | target | met |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${met} of ${total} targets met.

### Client CPU time per repetition (ms, median)

CPU time of the benchmark process itself (every thread, so native-ssh's engine thread too; sshd and
the commands are other processes) over the timed part of one repetition. Unlike wall time it hardly
depends on what else the machine is doing, and it is the part of each workload a client controls.

| workload | native-ssh | ssh2 (TCP_NODELAY) | ssh2 (default) | native / ssh2 | server CPU, native-ssh's runs | server CPU, ssh2's runs |
|---|---|---|---|---|---|---|
${cpuRows.join('\n')}

Server CPU: sshd's processes and the commands they ran, summed over sshd's process tree from
/proc (utime + stime + cutime + cstime; \`bench/server-cpu.mjs\`), over the same repetition.
${boundRows.length ? `
### How fast fan-out could be on this machine

sshd and the client share the machine's cores (pinned: sshd has one of them). Even with no waiting
at all, a repetition takes at least max((client CPU + server CPU) / cores, server CPU / cores sshd
may use): the least wall time below. Its ratio to ssh2's measured time is the best ratio native-ssh could reach here.

| workload | server CPU (ms) | native-ssh client CPU (ms) | least wall time (ms) | native-ssh measured | ssh2 measured | best possible ratio |
|---|---|---|---|---|---|---|
${boundRows.join('\n')}
` : ''}
## Samples (every repetition, in run order)

${detail.join('\n')}

## Notes

- one-shot includes reading the key file and parsing it, for both clients. Sequential, parallel and
  throughput runs open their connection (and one untimed \`true\`) before the clock starts.
- ssh2 collects its output into one Buffer (and a string for text), the same work native-ssh's exec does.
- memory: each run is a fresh \`node --expose-gc\` process: warm-up of ${opts.memory} connections
  (opened 20 at a time, each runs \`true\`, all closed), full GC, RSS; ${opts.memory} connections
  opened (20 at a time) and left idle 1 s, full GC, RSS; (after - before) / ${opts.memory}. RSS
  includes V8's young generation, whose size V8 adapts to the allocation rate: the figures move
  by ~10 KiB/conn between runs for both clients.
- The event-loop delay is Node's \`monitorEventLoopDelay({resolution: 1})\` histogram as reported
  (its samples include the 1 ms timer period).
${notes.map((n) => `- ${n}`).join('\n')}
`;

process.stdout.write(`\n${report}`);
if (write) {
  fs.writeFileSync(path.join(here, 'RESULTS.md'), report);
  log(`\nbench: wrote ${path.relative(root, path.join(here, 'RESULTS.md'))}`);
}
process.exit(0);
