// Child process of test/lifecycle/lifecycle.test.mjs: two Node environments (the main thread and worker
// threads), each with its own engine, working at the same time; a worker terminated in the middle
// of its commands must not disturb the others. Exits by itself when done.
import assert from 'node:assert/strict';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { connect, exec, ExecuteCommand, GetConnectionConfiguration, GetSettingsPrivateKey } from '../../dist/index.js';

const target = JSON.parse(process.env.NSSH_LIFECYCLE);
const options = { host: target.host, port: target.port, username: target.user, privateKeyPath: target.key };

async function work(name, rounds) {
  const conn = await connect(options);
  try {
    const results = await Promise.all(Array.from({ length: rounds }, (_, i) => conn.exec(`echo ${name}-${i}`)));
    results.forEach((r, i) => {
      assert.equal(r.stdout, `${name}-${i}\n`);
    });
    assert.equal((await exec(options, 'echo one-shot')).stdout, 'one-shot\n');
    const opi = await ExecuteCommand(GetConnectionConfiguration(GetSettingsPrivateKey(target.host, target.port, target.user, target.key)), `echo ${name}`);
    assert.equal(opi.stdout, name);
  } finally {
    await conn.close();
  }
  return rounds;
}

if (!isMainThread) {
  if (workerData.mode === 'doomed') {
    const conn = await connect(options);
    for (let i = 0; i < 10; i++) conn.exec('sleep 5').catch(() => undefined);
    parentPort.postMessage('running');
    setInterval(() => undefined, 1000);
  } else {
    parentPort.postMessage(await work(workerData.name, 30));
  }
} else {
  const start = (workerDataValue) => new Worker(new URL(import.meta.url), { workerData: workerDataValue, env: process.env });
  const finished = (worker) => new Promise((resolve, reject) => {
    let answer;
    worker.on('message', (m) => { answer = m; });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve(answer) : reject(new Error(`worker exit code ${code}`))));
  });
  const doomed = start({ mode: 'doomed' });
  await new Promise((resolve) => doomed.once('message', resolve));
  const workers = [start({ name: 'w1' }), start({ name: 'w2' })];
  const mainWork = work('main', 30);
  const terminated = doomed.terminate();
  const done = await Promise.all([mainWork, ...workers.map(finished), terminated]);
  assert.deepEqual(done.slice(0, 3), [30, 30, 30]);
  // And once more on the main thread after every worker is gone.
  assert.equal(await work('main-again', 5), 5);
  console.log('ok');
}
