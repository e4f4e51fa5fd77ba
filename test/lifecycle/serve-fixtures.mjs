// Starts the fixtures a long child run needs (sshd, and dante for SOCKS5) and prints one JSON
// line describing them: {host, port, user, password, key, proxyPort, sshdPid, sshdLog}. Stops
// them when its stdin closes or on SIGTERM/SIGINT. Used by scripts/valgrind-cycles.sh, which
// cannot run the fixtures inside the process under valgrind.
import path from 'node:path';

import { startDante } from '../fixtures/proxies.mjs';
import { startSshd } from '../fixtures/sshd.mjs';

const [sshd, dante] = await Promise.all([startSshd(), startDante({ auth: 'none' })]);
let stopping;
const stop = () => {
  stopping ??= Promise.all([sshd.stop(), dante.stop()]).then(() => process.exit(0));
  return stopping;
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
console.log(JSON.stringify({
  host: sshd.host,
  port: sshd.port,
  user: sshd.user,
  password: sshd.password,
  key: sshd.keys.ed25519,
  proxyPort: dante.port,
  sshdPid: sshd.pid,
  sshdLog: path.join(sshd.dir, 'sshd.log'),
}));
