// What the fake SSH server (fake-ssh-server.mjs) does after the key exchange, written from RFC
// 4252 (userauth) and RFC 4254 (connection protocol): the ssh-userauth service, logins, session
// channels, channel requests and global requests, each decided by the plan and counted in the
// server's stats. A library: no test logic.
//
// Plan fields read here (all optional):
//   auth: {methods: ['publickey', 'password'] (listed in USERAUTH_FAILURE),
//          password: boolean | (user, password) => boolean  accept the password (default true),
//          pkOk: boolean | (blob) => boolean       answer a publickey query with PK_OK (default true),
//          publickey: boolean | (blob) => boolean  accept a signed publickey request, unverified
//                                                  (default true),
//          banner: {text, count: 1, gapMs: 0}  send `count` USERAUTH_BANNERs, `gapMs` apart, before
//                                              every login reply (the reply follows after a gap)}
//   channel: {window: 2 MiB, maxPacket: 32 KiB   what our confirmation announces,
//             refuse: {reason, description}     refuse every channel open instead,
//             beforeReply(conn, peerId)         runs before we answer an open (peerId: the
//                                               client's number for the channel),
//             adjust: true                      give the client more window as its data arrives}
//   requests: {[type]: boolean} or (type, channel) => boolean   answer CHANNEL_SUCCESS or
//             CHANNEL_FAILURE (default: env, pty-req, exec, shell, subsystem, signal succeed)
//   exec(channel, command)   runs an accepted exec (default: defaultExec below)
//   keepalive: 'reply' (default: REQUEST_FAILURE, as OpenSSH answers) | 'ignore'

import { MSG, Writer } from './ssh-wire.mjs';

const DEFAULT_WINDOW = 2 * 1024 * 1024;
const DEFAULT_MAX_PACKET = 32 * 1024;
const ACCEPTED_BY_DEFAULT = new Set(['env', 'pty-req', 'exec', 'shell', 'subsystem', 'signal']);

/** A payload: the message number, then the fields written by `fill(writer)`. */
function body(type, fill) {
  const writer = new Writer().byte(type);
  fill?.(writer);
  return writer.toBuffer();
}

/** A session channel as the server sees it. */
export class FakeChannel {
  received = 0; // bytes of client data
  eofReceived = false;
  closeSent = false;
  onData = null; // (Buffer) => void
  onEof = null; // () => void
  #queue = []; // [{stream, data}] waiting for window
  #exitAfterQueue = null;

  constructor(conn, id, peerId, peerWindow, peerMaxPacket, window) {
    this.conn = conn;
    this.id = id;
    this.peerId = peerId;
    this.peerWindow = peerWindow;
    this.peerMaxPacket = peerMaxPacket;
    this.initialWindow = window;
    this.window = window;
  }

  /** Output to the client, within its window and packet size (queued when the window is shut). */
  write(data, stream = 'stdout') {
    this.#queue.push({ stream, data: Buffer.from(data) });
    this.#flush();
  }

  /** exit-status, then EOF and CLOSE, once every queued byte is out. */
  exit(code) {
    this.#exitAfterQueue = code;
    this.#flush();
  }

  eof() { this.conn.sendPacket(body(MSG.CHANNEL_EOF, (w) => w.u32(this.peerId))); }

  close() {
    if (this.closeSent) return;
    this.closeSent = true;
    this.conn.sendPacket(body(MSG.CHANNEL_CLOSE, (w) => w.u32(this.peerId)));
  }

  adjust(bytes) {
    this.peerWindow += bytes;
    this.#flush();
  }

  #flush() {
    while (this.#queue.length > 0 && this.peerWindow > 0) {
      const item = this.#queue[0];
      const n = Math.min(item.data.length, this.peerWindow, this.peerMaxPacket);
      const chunk = item.data.subarray(0, n);
      if (item.stream === 'stderr') {
        this.conn.sendPacket(body(MSG.CHANNEL_EXTENDED_DATA, (w) => w.u32(this.peerId).u32(1).string(chunk)));
      } else {
        this.conn.sendPacket(body(MSG.CHANNEL_DATA, (w) => w.u32(this.peerId).string(chunk)));
      }
      this.peerWindow -= n;
      item.data = item.data.subarray(n);
      if (item.data.length === 0) this.#queue.shift();
    }
    if (this.#queue.length === 0 && this.#exitAfterQueue !== null && !this.closeSent) {
      const code = this.#exitAfterQueue;
      this.conn.sendPacket(body(MSG.CHANNEL_REQUEST, (w) => w.u32(this.peerId).string('exit-status').bool(false).u32(code)));
      this.eof();
      this.close();
    }
  }
}

/**
 * The default command interpreter: `echo <text>` prints the text; `exit <n>` exits with n;
 * anything else reads stdin to EOF and prints its byte count (like `wc -c`).
 */
export function defaultExec(channel, command) {
  const echo = /^echo (.*)$/s.exec(command);
  if (echo) {
    channel.write(`${echo[1]}\n`);
    channel.exit(0);
    return;
  }
  const exit = /^exit (\d+)$/.exec(command);
  if (exit) {
    channel.exit(Number(exit[1]));
    return;
  }
  const done = () => {
    channel.write(`${channel.received}\n`);
    channel.exit(0);
  };
  if (channel.eofReceived) done();
  else channel.onEof = done;
}

function count(table, key) {
  table[key] = (table[key] ?? 0) + 1;
}

/** `setting` (a boolean or a function of `args`) as a boolean; undefined is `fallback`. */
const decide = (setting, fallback, ...args) => (typeof setting === 'function' ? setting(...args) : (setting ?? fallback));

/** Sends a login reply, after the plan's banners (auth.banner) when it has some; then `after`. */
function authReply(conn, reply, after) {
  const banner = conn.plan.auth?.banner;
  let left = banner ? (banner.count ?? 1) : 0;
  const step = () => {
    if (left === 0) {
      conn.sendPacket(reply);
      after?.();
      return;
    }
    left -= 1;
    conn.stats.userauth.banners += 1;
    conn.sendPacket(body(MSG.USERAUTH_BANNER, (w) => w.string(banner.text).string('')));
    if (banner.gapMs) setTimeout(step, banner.gapMs);
    else step();
  };
  step();
}

function onUserauth(conn, reader) {
  const { plan, stats } = conn;
  const auth = plan.auth ?? {};
  const user = reader.text();
  reader.text(); // service
  const method = reader.text();
  const methods = auth.methods ?? ['publickey', 'password'];
  const failure = () => authReply(conn, body(MSG.USERAUTH_FAILURE, (w) => w.string(methods.join(',')).bool(false)));
  const success = () => {
    stats.userauth.succeeded += 1;
    conn.authenticated = true;
    authReply(conn, body(MSG.USERAUTH_SUCCESS), () => conn.runHook('afterAuth'));
  };
  if (method === 'password') {
    stats.userauth.password += 1;
    reader.bool();
    const password = reader.text();
    const accept = typeof auth.password === 'function' ? auth.password(user, password) : auth.password !== false;
    if (accept && methods.includes('password')) success();
    else failure();
    return;
  }
  if (method === 'publickey') {
    const signed = reader.bool();
    const algorithm = reader.text();
    const blob = reader.string();
    if (!signed) {
      stats.userauth.publickeyQuery += 1;
      if (decide(auth.pkOk, true, blob) && methods.includes('publickey')) {
        authReply(conn, body(MSG.USERAUTH_PK_OK, (w) => w.string(algorithm).string(blob)));
      } else {
        failure();
      }
      return;
    }
    stats.userauth.publickeySigned += 1;
    stats.publickeyAlgorithms.push(algorithm);
    reader.string(); // the signature: not verified, the fake accepts any
    if (decide(auth.publickey, true, blob) && methods.includes('publickey')) success();
    else failure();
    return;
  }
  if (method === 'none') stats.userauth.none += 1;
  if (method === 'keyboard-interactive') stats.userauth.keyboardInteractive += 1;
  failure();
}

function onChannelOpen(conn, reader) {
  const { plan, stats } = conn;
  stats.channelOpens += 1;
  const type = reader.text();
  const peerId = reader.u32();
  const peerWindow = reader.u32();
  const peerMaxPacket = reader.u32();
  const settings = plan.channel ?? {};
  settings.beforeReply?.(conn, peerId);
  const refusal = settings.refuse ?? (type === 'session' ? null : { reason: 3, description: `unknown channel type ${type}` });
  if (refusal) {
    conn.sendPacket(body(MSG.CHANNEL_OPEN_FAILURE, (w) => w.u32(peerId).u32(refusal.reason).string(refusal.description).string('')));
    return;
  }
  let id = 0;
  while (conn.channels.has(id)) id += 1;
  const window = settings.window ?? DEFAULT_WINDOW;
  const maxPacket = settings.maxPacket ?? DEFAULT_MAX_PACKET;
  const channel = new FakeChannel(conn, id, peerId, peerWindow, peerMaxPacket, window);
  conn.channels.set(id, channel);
  conn.sendPacket(body(MSG.CHANNEL_OPEN_CONFIRMATION, (w) => w.u32(peerId).u32(id).u32(window).u32(maxPacket)));
}

function onChannelRequest(conn, channel, reader) {
  const { plan, stats } = conn;
  const type = reader.text();
  const wantReply = reader.bool();
  count(stats.channelRequests, type);
  const policy = plan.requests;
  let accept;
  if (typeof policy === 'function') accept = policy(type, channel);
  else accept = policy?.[type] ?? ACCEPTED_BY_DEFAULT.has(type);
  let command = null;
  if (type === 'exec') {
    command = reader.text();
    stats.commands.push(command);
  }
  if (wantReply) conn.sendPacket(body(accept ? MSG.CHANNEL_SUCCESS : MSG.CHANNEL_FAILURE, (w) => w.u32(channel.peerId)));
  if (accept && command !== null) (plan.exec ?? defaultExec)(channel, command);
}

/**
 * Handles one message after the key exchange. Returns false for a message the fake does not
 * know (the caller answers UNIMPLEMENTED).
 */
export function handleServiceMessage(conn, type, reader) {
  const { plan, stats } = conn;
  switch (type) {
    case MSG.SERVICE_REQUEST: {
      const service = reader.text();
      conn.sendPacket(body(MSG.SERVICE_ACCEPT, (w) => w.string(service)));
      return true;
    }
    case MSG.USERAUTH_REQUEST:
      onUserauth(conn, reader);
      return true;
    case MSG.GLOBAL_REQUEST: {
      const name = reader.text();
      const wantReply = reader.bool();
      count(stats.globalRequests, name);
      if (wantReply && plan.keepalive !== 'ignore') conn.sendPacket(body(MSG.REQUEST_FAILURE));
      return true;
    }
    case MSG.CHANNEL_OPEN:
      onChannelOpen(conn, reader);
      return true;
    default:
      break;
  }
  if (type < MSG.CHANNEL_WINDOW_ADJUST || type > MSG.CHANNEL_FAILURE) return false;
  const channel = conn.channels.get(reader.u32());
  if (channel === undefined) throw new Error(`message ${type} for an unknown channel`);
  switch (type) {
    case MSG.CHANNEL_WINDOW_ADJUST:
      channel.adjust(reader.u32());
      break;
    case MSG.CHANNEL_DATA:
    case MSG.CHANNEL_EXTENDED_DATA: {
      if (type === MSG.CHANNEL_EXTENDED_DATA) reader.u32();
      const data = reader.string();
      channel.received += data.length;
      channel.window -= data.length;
      stats.channelDataBytes += data.length;
      channel.onData?.(data);
      if (plan.channel?.adjust !== false && channel.window < channel.initialWindow / 2) {
        const more = channel.initialWindow - channel.window;
        channel.window += more;
        conn.sendPacket(body(MSG.CHANNEL_WINDOW_ADJUST, (w) => w.u32(channel.peerId).u32(more)));
      }
      break;
    }
    case MSG.CHANNEL_EOF:
      channel.eofReceived = true;
      channel.onEof?.();
      break;
    case MSG.CHANNEL_CLOSE:
      channel.close();
      conn.channels.delete(channel.id);
      break;
    case MSG.CHANNEL_REQUEST:
      onChannelRequest(conn, channel, reader);
      break;
    default:
      // CHANNEL_SUCCESS / CHANNEL_FAILURE: answers to requests we never send.
      break;
  }
  return true;
}
