// A scripted fake ssh-agent for the hostile-peer suites, written from the SSH agent protocol
// (draft-miller-ssh-agent): on a Unix socket, each message is a uint32 length and that many bytes,
// the first a message number. It answers SSH_AGENTC_REQUEST_IDENTITIES (11) with
// SSH_AGENT_IDENTITIES_ANSWER (12) and SSH_AGENTC_SIGN_REQUEST (13) with SSH_AGENT_SIGN_RESPONSE
// (14), signing with Ed25519 keys of its own, unless its mode says to misbehave. A library: no
// test logic.
//
//   const agent = await startFakeAgent(path.join(tmp, 'agent.sock'), { mode: 'close' });
//   ... connect with {agent: agent.path} ...; agent.stats.requests; await agent.stop();
//
// Options:
//   keys   how many Ed25519 identities it holds (default 1)
//   mode   'normal' (default) | 'close': closes the connection right after reading a request |
//          'hugeLength': answers with a length field of 0x7fffffff and a few bytes, then nothing |
//          'silent': reads requests and never answers (the socket stays open)

import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';

import { Reader, Writer } from './ssh-wire.mjs';

export const AGENT_MSG = Object.freeze({
  FAILURE: 5, REQUEST_IDENTITIES: 11, IDENTITIES_ANSWER: 12, SIGN_REQUEST: 13, SIGN_RESPONSE: 14,
});

/** An Ed25519 key pair as the agent holds it: {privateKey, blob, comment}. */
function newIdentity(index) {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url');
  return { privateKey, blob: new Writer().string('ssh-ed25519').string(raw).toBuffer(), comment: `fake-agent-key-${index}` };
}

/** A message with its uint32 length in front. */
const framed = (message) => Buffer.concat([new Writer().u32(message.length).toBuffer(), message]);

function answer(identities, request) {
  const type = request[0];
  if (type === AGENT_MSG.REQUEST_IDENTITIES) {
    const w = new Writer().byte(AGENT_MSG.IDENTITIES_ANSWER).u32(identities.length);
    for (const id of identities) w.string(id.blob).string(id.comment);
    return framed(w.toBuffer());
  }
  if (type === AGENT_MSG.SIGN_REQUEST) {
    const reader = new Reader(request, 1);
    const blob = reader.string();
    const data = reader.string();
    const id = identities.find((candidate) => candidate.blob.equals(blob));
    if (id === undefined) return framed(Buffer.from([AGENT_MSG.FAILURE]));
    const signature = new Writer().string('ssh-ed25519').string(crypto.sign(null, data, id.privateKey)).toBuffer();
    return framed(new Writer().byte(AGENT_MSG.SIGN_RESPONSE).string(signature).toBuffer());
  }
  return framed(Buffer.from([AGENT_MSG.FAILURE]));
}

/**
 * Starts a fake agent listening on the Unix socket `socketPath`.
 * @returns {Promise<{path: string, identities: object[], stats: {connections: number,
 *   requests: number[], closedByAgent: number}, stop: () => Promise<void>}>}
 */
export async function startFakeAgent(socketPath, { keys = 1, mode = 'normal' } = {}) {
  const identities = Array.from({ length: keys }, (_, i) => newIdentity(i + 1));
  const stats = { connections: 0, requests: [], closedByAgent: 0 };
  const sockets = new Set();
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
        const request = buffer.subarray(4, 4 + buffer.readUInt32BE(0));
        buffer = buffer.subarray(4 + request.length);
        stats.requests.push(request[0]);
        if (mode === 'close') {
          stats.closedByAgent += 1;
          socket.destroy();
          return;
        }
        if (mode === 'hugeLength') {
          socket.write(Buffer.concat([new Writer().u32(0x7fffffff).byte(AGENT_MSG.IDENTITIES_ANSWER).toBuffer(), Buffer.alloc(64, 0x41)]));
          continue;
        }
        if (mode === 'silent') continue;
        socket.write(answer(identities, request));
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => { server.off('error', reject); resolve(); });
  });
  let stopping;
  return {
    path: socketPath,
    identities,
    stats,
    stop() {
      stopping ??= new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
}
