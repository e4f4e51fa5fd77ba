/**
 * The idiomatic promise-based client's entry points: {@link connect} and the one-shot
 * {@link exec}. Options are checked (lib/options.ts) before any network work; lib/open.ts opens
 * the connection, lib/connection.ts is what it gives. JavaScript thread.
 * @packageDocumentation
 */
import type { Connection, ExecResult } from './connection';
import { openConnection } from './open';
import { type ConnectOptions, type ExecOptions, planFromOptions, rawExecOptions } from './options';

/** Connects and logs in. Rejects with {@link SshError}. */
export async function connect(options: ConnectOptions): Promise<Connection> {
  return openConnection(planFromOptions(options));
}

/** One-shot: connect, run `command`, close. */
export async function exec(options: ConnectOptions, command: string, execOptions?: ExecOptions & { encoding?: 'utf8' }): Promise<ExecResult<string>> {
  const plan = planFromOptions(options);
  // The command's options are checked too before any network work.
  rawExecOptions(command, execOptions ?? {}, plan.commandTimeoutMs);
  const connection = await openConnection(plan);
  try {
    return await connection.exec(command, execOptions);
  } finally {
    await connection.close();
  }
}
