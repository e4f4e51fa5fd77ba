// The two clients behind one small interface, so every workload runs the same code for both:
//   const conn = await client.connect(sshd);      // Ed25519 key login
//   conn.algorithms                                // negotiated algorithms, one shape for both
//   const r = await conn.exec(cmd, { buffer })     // {bytes, exitCode}; stdout is collected whole
//   await conn.close();
//
// native-ssh comes from ../dist/ (build the project first); ssh2 from bench/node_modules (run.mjs
// installs it there). ssh2 runs in two variants: with TCP_NODELAY on a socket we create and pass
// in (how ssh2 should be used for interactive work), and as it comes (Nagle on).

import fs from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** native-ssh's public API, from the built package. */
export const nativeSsh = require('../dist/index.js');

let ssh2Module;
/** The npm ssh2 package, loaded on first use (run.mjs installs it before). */
export function ssh2() {
  ssh2Module ??= require('ssh2');
  return ssh2Module;
}

/** Facts about the installed ssh2: version and whether its optional native crypto binding loaded. */
export function ssh2Info() {
  const { version } = require('ssh2/package.json');
  let binding = 'unknown';
  try {
    binding = require('ssh2/lib/protocol/crypto.js').bindingAvailable ? 'yes' : 'no';
  } catch { /* layout changed */ }
  return { version, binding };
}

const native = {
  id: 'native',
  label: 'native-ssh',
  async connect(sshd) {
    const c = await nativeSsh.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKeyPath: sshd.keys.ed25519,
      connectTimeout: 60_000,
    });
    return {
      algorithms: { ...c.algorithms },
      async exec(command, { buffer = false } = {}) {
        const r = await c.exec(command, buffer ? { encoding: 'buffer' } : {});
        return { bytes: r.stdout.length, exitCode: r.exitCode };
      },
      close: () => c.close(),
    };
  },
};

function ssh2Algorithms(n) {
  return {
    kex: n.kex,
    hostKey: n.serverHostKey,
    cipherClientToServer: n.cs?.cipher ?? '',
    cipherServerToClient: n.sc?.cipher ?? '',
    macClientToServer: n.cs?.mac || '(implicit)',
    macServerToClient: n.sc?.mac || '(implicit)',
  };
}

function ssh2Connect(sshd, noDelay) {
  const { Client } = ssh2();
  return new Promise((resolve, reject) => {
    const client = new Client();
    let algorithms;
    client.on('handshake', (negotiated) => { algorithms = ssh2Algorithms(negotiated); });
    client.once('error', reject);
    client.once('ready', () => {
      client.removeListener('error', reject);
      // A late transport error must not crash the bench; exec/close report it.
      client.on('error', () => {});
      resolve(wrapSsh2(client, algorithms));
    });
    const config = {
      username: sshd.user,
      // Read per connection, as native-ssh reads privateKeyPath per connection.
      privateKey: fs.readFileSync(sshd.keys.ed25519),
      readyTimeout: 60_000,
    };
    if (noDelay) {
      const sock = net.connect({ host: sshd.host, port: sshd.port });
      sock.setNoDelay(true);
      config.sock = sock;
    } else {
      config.host = sshd.host;
      config.port = sshd.port;
    }
    client.connect(config);
  });
}

function wrapSsh2(client, algorithms) {
  let closed;
  return {
    algorithms,
    exec(command, { buffer = false } = {}) {
      return new Promise((resolve, reject) => {
        client.exec(command, (err, stream) => {
          if (err) { reject(err); return; }
          const out = [];
          const errChunks = [];
          let exitCode = null;
          stream.on('data', (d) => out.push(d));
          stream.stderr.on('data', (d) => errChunks.push(d));
          stream.on('exit', (code) => { exitCode = typeof code === 'number' ? code : null; });
          stream.on('error', reject);
          stream.on('close', () => {
            // The same work native-ssh does: one Buffer (or string) with the whole output.
            const stdout = Buffer.concat(out);
            const bytes = buffer ? stdout.length : stdout.toString('utf8').length;
            Buffer.concat(errChunks);
            resolve({ bytes, exitCode });
          });
        });
      });
    },
    close() {
      closed ??= new Promise((resolve) => {
        client.once('close', resolve);
        client.end();
      });
      return closed;
    },
  };
}

const ssh2NoDelay = {
  id: 'ssh2',
  label: 'ssh2 (TCP_NODELAY)',
  connect: (sshd) => ssh2Connect(sshd, true),
};

const ssh2Default = {
  id: 'ssh2-nagle',
  label: 'ssh2 (default, Nagle on)',
  connect: (sshd) => ssh2Connect(sshd, false),
};

/** Every client, by id. `ssh2` (with TCP_NODELAY) is the reference for the ratios. */
export const clients = { native, ssh2: ssh2NoDelay, 'ssh2-nagle': ssh2Default };
