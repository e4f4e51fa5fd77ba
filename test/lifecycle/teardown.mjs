// Child process of test/lifecycle/lifecycle.test.mjs: brings one connection to a stage of its life, then
// tears its environment down there. The parent checks that the process exits with code 0 and no
// signal, within a bound, and that the server saw the session end.
//
//   node teardown.mjs <how> <stage>
//   how:   exit        process.exit(0) at the stage (main thread)
//          natural     drop every reference and let the event loop run dry
//          terminate   the stage is reached in a worker_thread, which the main thread terminates
//          worker-exit the stage is reached in a worker_thread, which calls process.exit(0) itself
//   stage: loaded | connecting | connecting-proxy | connected | exec-pending | exec-queued |
//          stream-paused | closing | closed | lost
// The target comes from NSSH_LIFECYCLE (JSON: host, port, user, key, proxyPort).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import { connect, versions } from '../../dist/index.js';

const target = JSON.parse(process.env.NSSH_LIFECYCLE);
const [how, stage] = isMainThread ? process.argv.slice(2) : [workerData.how, workerData.stage];
const options = { host: target.host, port: target.port, username: target.user, privateKeyPath: target.key };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const swallow = (promise) => { promise.catch(() => undefined); return promise; };

/** Brings a connection to `stage`; resolves once it is there (keeps what it made reachable). */
async function reach() {
  const kept = [];
  versions(); // loads the addon and starts nothing else
  if (stage === 'loaded') return kept;
  if (stage === 'connecting') {
    kept.push(swallow(connect(options)));
    await sleep(5); // the connect is posted to the engine and under way
    return kept;
  }
  if (stage === 'connecting-proxy') {
    kept.push(swallow(connect({ ...options, proxy: { type: 'socks5', host: target.host, port: target.proxyPort } })));
    await sleep(5);
    return kept;
  }
  const conn = await connect(options);
  kept.push(conn);
  switch (stage) {
    case 'connected':
      break;
    case 'exec-pending':
      kept.push(swallow(conn.exec('sleep 0.5; echo done')), swallow(conn.exec('cat', { stdin: Buffer.alloc(4 << 20) })));
      await sleep(50);
      break;
    case 'exec-queued':
      // More than the fixture's MaxSessions (64): some of these wait for a free channel.
      for (let i = 0; i < 80; i++) kept.push(swallow(conn.exec(`sleep 0.3; echo ${i}`)));
      await sleep(50);
      break;
    case 'stream-paused': {
      const stream = conn.stream('head -c 50000000 /dev/zero');
      swallow(stream.done);
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next(); // one chunk taken; nobody pulls again, so the engine stops reading
      kept.push(iterator);
      await sleep(100);
      break;
    }
    case 'closing':
      kept.push(swallow(conn.exec('sleep 5')));
      kept.push(conn.close());
      break;
    case 'closed':
      await conn.close();
      break;
    case 'lost':
      // A command whose timeout fires and a close racing with it.
      kept.push(swallow(conn.exec('sleep 5', { timeout: 20 })));
      await sleep(10);
      kept.push(conn.close());
      break;
    default:
      throw new Error(`unknown stage ${stage}`);
  }
  return kept;
}

async function runHere() {
  const kept = await reach();
  if (how === 'natural') {
    kept.length = 0;
    return;
  }
  if (how === 'exit' || how === 'worker-exit') process.exit(0);
  // terminate: tell the main thread we are there, and keep everything alive until it terminates us.
  parentPort.postMessage('reached');
  globalThis.keep = kept;
  setInterval(() => undefined, 1000);
}

if (isMainThread && (how === 'terminate' || how === 'worker-exit')) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { how, stage }, env: process.env });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.on('error', (error) => {
    console.error(`worker error: ${error.stack}`);
    process.exitCode = 1;
  });
  if (how === 'terminate') {
    await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
  }
  const code = await exited;
  // worker.terminate() reports exit code 1; a worker that called process.exit(0) reports 0.
  if (how === 'worker-exit' && code !== 0) {
    console.error(`worker exit code ${code}`);
    process.exitCode = 1;
  }
  // The main environment still works after the worker's engine is gone.
  const conn = await connect(options);
  const { stdout } = await conn.exec('echo main');
  await conn.close();
  if (stdout !== 'main\n') throw new Error(`main thread after the worker: ${JSON.stringify(stdout)}`);
  console.log('ok');
} else {
  await runHere();
  if (isMainThread) console.log('ok');
}
