// CPU time used by a process tree (Linux /proc): the sshd listener, the per-connection sshd
// processes and the commands they run. Each process's utime + stime + cutime + cstime is summed
// over the tree; cutime/cstime hold what its children used once they were waited for, so
// connections and commands that have ended are counted by the parent that reaped them. A process
// that ended but was not reaped yet is missed until it is, so read the clock after the work has
// settled. Used by the bench to show how much of a workload's time is the server's.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** pid -> {ppid, ticks} for every process we can read. */
function processTable() {
  const table = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid ..." - comm may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime..cstime are fields 14..17.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    table.set(Number(name), { ppid: Number(fields[1]), ticks });
  }
  return table;
}

/** CPU ms used so far by `rootPid` and its descendants (see above). NaN if rootPid is gone. */
export function treeCpuMs(rootPid) {
  const table = processTable();
  if (!table.has(rootPid)) return NaN;
  const children = new Map();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  let ticks = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    ticks += table.get(pid).ticks;
    stack.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / clockTicks();
}

/**
 * Server CPU clock for one repetition: call it before the work, await the returned function
 * after it; that waits `settleMs` for ended connections to be reaped, then gives the ms used.
 */
export function serverClock(sshd, settleMs = 150) {
  const start = treeCpuMs(sshd.pid);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return treeCpuMs(sshd.pid) - start;
  };
}
