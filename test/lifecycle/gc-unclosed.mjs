// Child process of test/lifecycle/lifecycle.test.mjs, run with --expose-gc: connections that are never
// closed and become unreachable. The engine must close them (an SSH disconnect the server logs),
// and a connection with a command still running must stay alive until that command settles.
// Prints one JSON line with what it saw; the parent checks the server's side.
import assert from 'node:assert/strict';
import fs from 'node:fs';

import { connect } from '../../dist/index.js';

const target = JSON.parse(process.env.NSSH_LIFECYCLE);
const options = { host: target.host, port: target.port, username: target.user, privateKeyPath: target.key };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const disconnects = () => (fs.readFileSync(target.sshdLog, 'utf8').match(/Received disconnect from .*closed by native-ssh/g) ?? []).length;

async function collectUntil(predicate, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    globalThis.gc();
    await sleep(50);
    if (predicate()) return true;
  }
  return false;
}

const baseline = disconnects();

// 1. Five idle connections, used once, then dropped without close().
const registry = new FinalizationRegistry(() => { collected += 1; });
let collected = 0;
await (async () => {
  for (let i = 0; i < 5; i++) {
    const conn = await connect(options);
    assert.equal((await conn.exec(`echo ${i}`)).stdout, `${i}\n`);
    registry.register(conn, i);
  }
})();
const closedByGc = await collectUntil(() => disconnects() >= baseline + 5, 15_000);

// 2. A dropped connection whose command is still running: the command must still complete.
let result;
await (async () => {
  const conn = await connect(options);
  conn.exec('sleep 2; echo survived').then((r) => { result = r.stdout; }, (e) => { result = `error ${e.code}`; });
})();
for (let i = 0; i < 10; i++) {
  globalThis.gc();
  await sleep(100);
}
const beforeSettle = result;
await collectUntil(() => result !== undefined, 5000);
// ...and once it settled, that connection goes too.
const afterCommand = await collectUntil(() => disconnects() >= baseline + 6, 15_000);

console.log(JSON.stringify({ collected, closedByGc, disconnects: disconnects() - baseline, beforeSettle: beforeSettle ?? null, result, afterCommand }));
