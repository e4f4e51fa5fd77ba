// Memory workload, one client per fresh process (run.mjs starts it with --expose-gc):
//   node --expose-gc bench/memory-child.mjs <client-id> <count>   (sshd as JSON in BENCH_SSHD)
// A warm-up opens <count> connections the same way (each runs `true`) and closes them, so that
// one-time costs are not counted: native-ssh's engine thread and OpenSSL initialisation, ssh2's
// crypto binding, and the JIT (V8 optimises the connect path only after many connections, and
// its compiler's code pages, ~3.5 MB of node's text, come in then: with a single warm-up
// connection they landed in the measured window). Then RSS is read, <count> connections are
// opened and left idle, and RSS is read again; both readings follow a full GC. Prints one JSON
// line: {rssBefore, rssAfter, perConnection, heapPerConnection, ...} in bytes.

import { setTimeout as delay } from 'node:timers/promises';

import { clients } from './clients.mjs';

const [clientId, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 100);
const client = clients[clientId];
if (!client || !Number.isInteger(count) || count < 1) {
  console.error('usage: node --expose-gc bench/memory-child.mjs <native|ssh2|ssh2-nagle> <count>');
  process.exit(2);
}
const sshd = JSON.parse(process.env.BENCH_SSHD ?? 'null');
if (!sshd) {
  console.error('memory-child: BENCH_SSHD is not set');
  process.exit(2);
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await delay(100);
  }
  return process.memoryUsage();
}

const batch = 20; // well below sshd's MaxStartups
async function open() {
  const conns = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    conns.push(...(await Promise.all(Array.from({ length: n }, () => client.connect(sshd)))));
  }
  return conns;
}

const warm = await open();
await Promise.all(warm.map((c) => c.exec('true')));
await Promise.all(warm.map((c) => c.close()));
await delay(300);

const before = await settle();
const conns = await open();
await delay(1000); // idle
const after = await settle();

process.stdout.write(`${JSON.stringify({
  client: clientId,
  count,
  rssBefore: before.rss,
  rssAfter: after.rss,
  perConnection: (after.rss - before.rss) / count,
  heapPerConnection: (after.heapUsed - before.heapUsed) / count,
  externalPerConnection: (after.external - before.external) / count,
})}\n`);

await Promise.all(conns.map((c) => c.close()));
process.exit(0);
