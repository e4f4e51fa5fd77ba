// Every login method against real servers: keyboard-interactive through PAM, ssh-agent with
// several identities, password falling back to keyboard-interactive.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  connect,
  ExecuteCommand,
  GetConnectionConfiguration,
  GetSettingsKI,
  GetSettingsLoginPassword,
  GetSettingsViaAgent,
  SshError,
} from '../dist/index.js';
import { startAgent } from './fixtures/agent.mjs';
import { canUsePassword, startSshd } from './fixtures/sshd.mjs';

const needsRoot = !canUsePassword && 'needs root (PAM password account)';
let pam;       // PAM: keyboard-interactive and public keys
let kiOnly;    // keyboard-interactive only
before(async () => {
  [pam, kiOnly] = await Promise.all([
    startSshd({ config: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no'] }),
    startSshd({ config: ['UsePAM yes', 'KbdInteractiveAuthentication yes', 'PasswordAuthentication no', 'PubkeyAuthentication no'] }),
  ]);
});
after(async () => {
  await Promise.all([pam?.stop(), kiOnly?.stop()]);
});

const whoami = (settings) => ExecuteCommand(GetConnectionConfiguration(settings), 'whoami');

describe('keyboard-interactive', { skip: needsRoot }, () => {
  it('logs in answering sshd\'s PAM prompts', async () => {
    const r = await whoami(GetSettingsKI('127.0.0.1', pam.port, pam.user, [pam.password]));
    assert.equal(r.stdout, pam.user);
  });
  it('a wrong answer gives AUTH_FAILED', async () => {
    const r = await whoami(GetSettingsKI('127.0.0.1', kiOnly.port, kiOnly.user, ['not-the-answer']));
    assert.equal(r.result, false);
    assert.equal(r.code, 'AUTH_FAILED');
    assert.match(r.error, /^Auth error: /);
  });
  it('the idiomatic client with keyboard answers', async () => {
    const conn = await connect({ host: '127.0.0.1', port: kiOnly.port, username: kiOnly.user, keyboard: [kiOnly.password] });
    assert.equal((await conn.exec('whoami')).stdout, `${kiOnly.user}\n`);
    await conn.close();
  });
});

describe('password falls back to keyboard-interactive', { skip: needsRoot }, () => {
  it('password settings log in to the keyboard-interactive-only sshd', async () => {
    const r = await whoami(GetSettingsLoginPassword('127.0.0.1', kiOnly.port, kiOnly.user, kiOnly.password));
    assert.equal(r.stdout, kiOnly.user);
  });
});

describe('ssh-agent', () => {
  let agent;
  let stray;
  before(async () => {
    // An identity the server does not accept comes first; the authorised one second.
    stray = path.join(pam.dir, 'stray_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stray]);
    agent = await startAgent([stray, pam.keys.ed25519]);
  });
  after(async () => { await agent?.stop(); });

  it('tries every identity until one is accepted', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agent.socket;
    try {
      const r = await whoami(GetSettingsViaAgent('127.0.0.1', pam.port, pam.user));
      assert.equal(r.stdout, pam.user);
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK; else process.env.SSH_AUTH_SOCK = saved;
    }
  });
  it('the idiomatic client takes the socket path', async () => {
    const conn = await connect({ host: '127.0.0.1', port: pam.port, username: pam.user, agent: agent.socket });
    assert.equal((await conn.exec('whoami')).stdout, `${pam.user}\n`);
    await conn.close();
  });
  it('an agent none of whose identities is accepted gives AUTH_FAILED', async () => {
    const lonely = await startAgent([stray]);
    try {
      await assert.rejects(connect({ host: '127.0.0.1', port: pam.port, username: pam.user, agent: lonely.socket }),
        (error) => error instanceof SshError && error.code === 'AUTH_FAILED' && /none of the agent's 1 identities/.test(error.message));
    } finally {
      await lonely.stop();
    }
  });
  it('with no agent, a clear error', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const r = await whoami(GetSettingsViaAgent('127.0.0.1', pam.port, pam.user));
      assert.equal(r.code, 'AGENT_FAILED');
      assert.match(r.error, /^Auth error: no ssh-agent: SSH_AUTH_SOCK is not set$/);
      const gone = await connect({ host: '127.0.0.1', port: pam.port, username: pam.user, agent: '/nonexistent/agent.sock' }).catch((e) => e);
      assert.equal(gone.code, 'AGENT_FAILED');
      assert.match(gone.message, /cannot reach the ssh-agent/);
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});
