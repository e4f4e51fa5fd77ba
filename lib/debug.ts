/**
 * Debug logging the Node way: `NODE_DEBUG=native-ssh` (util.debuglog, to stderr) and the `debug`
 * option (a function that gets each line). Lines name the connection (`user@host:port`) and say
 * what the engine did: connect stages, the host key, negotiated algorithms, the login method,
 * channels opened and closed, errors. Nothing secret is ever part of a line.
 * @packageDocumentation
 */
import util = require('node:util');

const nodeDebug = util.debuglog('native-ssh');

/** Where a connection's debug lines go; undefined when nobody listens. */
export type DebugSink = ((message: string) => void) | undefined;

/** A sink for one connection: NODE_DEBUG and/or the caller's function. */
export function debugSink(option: ((message: string) => void) | undefined, label: string): DebugSink {
  const toNode = nodeDebug.enabled;
  if (option === undefined && !toNode) return undefined;
  return (message: string): void => {
    const line = `${label}: ${message}`;
    if (toNode) nodeDebug('%s', line);
    if (option !== undefined) {
      try {
        option(line);
      } catch {
        // A failing logger must not break the connection.
      }
    }
  };
}
