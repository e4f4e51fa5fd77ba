// Runs one workload with native-ssh only, for a profiler (see bench/README.md):
//   perf record -F 1999 -g -o /tmp/perf.data -- node bench/profile-workload.mjs throughput-ctr
//   perf report -i /tmp/perf.data --comm node --no-children --sort dso,sym
// Workloads: throughput-ctr, throughput-gcm (256 MiB of stdout, `count` times, default 3),
// sequential (`echo hi` × count, default 2000), parallel (`count` rounds of 100 `echo hi` at once,
// default 5). sshd is a child of this process: filter the
// profile by command name (`--comm node`) to leave sshd and the commands out.

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { clients } from './clients.mjs';
import { THROUGHPUT_BYTES } from './workloads.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startSshd } = await import(pathToFileURL(path.join(root, 'test', 'fixtures', 'sshd.mjs')).href);

const configs = {
  'throughput-ctr': ['Ciphers aes128-ctr', 'MACs hmac-sha2-256'],
  'throughput-gcm': ['Ciphers aes128-gcm@openssh.com'],
  sequential: [],
  parallel: ['Match all', 'MaxSessions 128'],
};
const [workload = 'throughput-ctr', countArg] = process.argv.slice(2);
if (!(workload in configs)) {
  console.error(`usage: node bench/profile-workload.mjs <${Object.keys(configs).join('|')}> [count]`);
  process.exit(2);
}
const sshd = await startSshd({ config: configs[workload], authorize: ['ed25519'] });
try {
  const conn = await clients.native.connect(sshd);
  console.error(`profile-workload: ${workload}, ${conn.algorithms.cipherServerToClient} / ${conn.algorithms.macServerToClient}`);
  await conn.exec('true');
  const t0 = performance.now();
  if (workload === 'sequential') {
    const count = Number(countArg ?? 2000);
    for (let i = 0; i < count; i++) await conn.exec('echo hi');
    console.error(`profile-workload: ${((performance.now() - t0) / count).toFixed(3)} ms per command`);
  } else if (workload === 'parallel') {
    const count = Number(countArg ?? 5);
    for (let i = 0; i < count; i++) {
      await Promise.all(Array.from({ length: 100 }, () => conn.exec('echo hi')));
    }
    console.error(`profile-workload: ${((performance.now() - t0) / count).toFixed(1)} ms per round of 100`);
  } else {
    const count = Number(countArg ?? 3);
    for (let i = 0; i < count; i++) {
      const r = await conn.exec(`head -c ${THROUGHPUT_BYTES} /dev/zero`, { buffer: true });
      if (r.bytes !== THROUGHPUT_BYTES) throw new Error(`got ${r.bytes} bytes`);
    }
    console.error(`profile-workload: ${(THROUGHPUT_BYTES * count / 1e6 / ((performance.now() - t0) / 1000)).toFixed(0)} MB/s`);
  }
  await conn.close();
} finally {
  await sshd.stop();
}
process.exit(0);
