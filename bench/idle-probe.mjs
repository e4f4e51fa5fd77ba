// Control for the event-loop delay figures: a separate, idle Node process that only measures its
// own event-loop delay (1 ms resolution) between a 'start' and a 'stop' message from run.mjs.
// What it sees is what the machine's scheduler alone does to any event loop during a workload
// (e.g. 100 sshd processes doing key exchange on 2 cores), not what a client library does.
import { monitorEventLoopDelay } from 'node:perf_hooks';

let h;
process.on('message', (m) => {
  if (m === 'start') {
    h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    process.send('started');
  } else if (m === 'stop') {
    h?.disable();
    process.send({ p99: h ? h.percentile(99) / 1e6 : NaN, max: h ? h.max / 1e6 : NaN }, () => process.exit(0));
  }
});
process.send('ready');
