/**
 * The idiomatic promise-based client's entry points: {@link connect} and the one-shot
 * {@link exec}. Options are checked (lib/options.ts) before any network work, after the OpenSSH
 * client config filled in what they leave out when `sshConfig` asks for it
 * (lib/ssh-config-connect.ts); lib/open.ts opens the connection, lib/connection.ts is what it
 * gives. JavaScript thread.
 * @packageDocumentation
 */
import type { Connection, ExecResult } from './connection';
import { openConnection } from './open';
import { type ConnectOptions, type ExecOptions, planFromOptions, rawExecOptions } from './options';
import type { ConnectPlan } from './plan';
import { applySshConfig } from './ssh-config-connect';

/** The plan for `options` (with the ssh config applied), and when the connect began. */
async function planFor(options: ConnectOptions): Promise<{ plan: ConnectPlan; startedAt: number }> {
  const startedAt = Date.now();
  return { plan: planFromOptions(await applySshConfig(options, startedAt)), startedAt };
}

/** Connects and logs in. Rejects with {@link SshError}. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const { plan, startedAt } = await planFor(options);
  return openConnection(plan, startedAt);
}

/** One-shot: connect, run `command`, close. */
export async function exec(options: ConnectOptions, command: string, execOptions?: ExecOptions & { encoding?: 'utf8' }): Promise<ExecResult<string>> {
  const { plan, startedAt } = await planFor(options);
  // The command's options are checked too before any network work.
  rawExecOptions(command, execOptions ?? {}, plan.commandTimeoutMs);
  const connection = await openConnection(plan, startedAt);
  try {
    return await connection.exec(command, execOptions);
  } finally {
    await connection.close();
  }
}
