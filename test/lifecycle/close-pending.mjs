// Child process of test/lifecycle/lifecycle.test.mjs: close() while commands are pending, in every state a
// command can be in (just submitted, opening, running, queued beyond MaxSessions, streaming,
// paused by flow control), concurrently with more close() calls and with aborts and timeouts.
// Every pending call must settle (NOT_CONNECTED, or its own result when it won the race), close()
// must resolve, and the process must then exit by itself (nothing left holding the event loop).
import assert from 'node:assert/strict';

import { CloseConnection, connect, CreateConnection, ExecuteCommand, GetSettingsPrivateKey } from '../../dist/index.js';

const target = JSON.parse(process.env.NSSH_LIFECYCLE);
const options = { host: target.host, port: target.port, username: target.user, privateKeyPath: target.key };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const settle = (promise) => promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, code: error.code, message: error.message }));
async function bound(ms, promise, what) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms); });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer); // a pending timer would keep the process alive and hide a real leak
  }
}
const counts = {};

for (const delay of [0, 1, 20, 200]) {
  const conn = await connect(options);
  const pending = [];
  for (let i = 0; i < 80; i++) pending.push(settle(conn.exec(`sleep 2; echo ${i}`)));
  pending.push(settle(conn.exec('cat', { stdin: Buffer.alloc(8 << 20) })));
  pending.push(settle(conn.exec('sleep 2', { timeout: 50 })));
  const controller = new AbortController();
  pending.push(settle(conn.exec('sleep 2', { signal: controller.signal })));
  const stream = conn.stream('head -c 20000000 /dev/zero');
  const iterator = stream[Symbol.asyncIterator]();
  pending.push(settle(iterator.next()));
  pending.push(settle(stream.done));
  if (delay > 0) await sleep(delay);
  controller.abort();
  const closes = [conn.close(), conn.close(), CloseConnection(conn)];
  const outcomes = await bound(10_000, Promise.all(pending), `pending calls (close after ${delay} ms)`);
  await bound(5000, Promise.all(closes), 'close()');
  for (const outcome of outcomes) {
    const key = outcome.ok ? 'ok' : outcome.code;
    counts[key] = (counts[key] ?? 0) + 1;
    if (!outcome.ok) assert.ok(['NOT_CONNECTED', 'ABORTED', 'TIMEOUT'].includes(outcome.code), `${outcome.code}: ${outcome.message}`);
  }
  assert.equal(conn.closed, true);
  const after = await settle(conn.exec('true'));
  assert.equal(after.code, 'NOT_CONNECTED');
}

// OPI: CloseConnection while ExecuteCommand runs.
const c = await CreateConnection(GetSettingsPrivateKey(target.host, target.port, target.user, target.key));
const running = ExecuteCommand(c, 'sleep 3');
await sleep(100);
assert.deepEqual(await CloseConnection(c), { result: true });
const r = await bound(5000, running, 'ExecuteCommand after CloseConnection');
assert.equal(r.result, false);
assert.equal(r.code, 'NOT_CONNECTED');
assert.match(r.error, /^No session/);

// The parent measures from here to the process's exit: nothing may keep the loop alive. (How
// long the rounds take is the server's business: each starts ~70 processes on it.)
console.log(JSON.stringify({ counts, finishedAt: Date.now() }));
