// Process checks through /proc (Linux). PID 1 on these machines reaps orphans lazily, so a
// stopped daemon may linger as a zombie: zombies count as gone.
import { readdirSync, readFileSync } from 'node:fs';

interface Stat { readonly pid: number; readonly state: string; readonly session: number }

function stat(pid: number | string): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // proc(5): "pid (comm) state ppid pgrp session ..."; comm may contain spaces and parens.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), state: fields[0]!, session: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

/** True while `pid` exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

/**
 * Live processes of the session led by `sid`. The recipes start each daemon with `setsid`,
 * so the daemon PID is its session id and every child it forks stays in that session.
 */
export function sessionProcesses(sid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(entry);
    if (s && s.session === sid && s.state !== 'Z') pids.push(s.pid);
  }
  return pids;
}
