/**
 * Maildir file names (https://cr.yp.to/proto/maildir.html): `time.unique.host`, where
 * unique is `M<usec>P<pid>Q<count>R<random>` as djb recommends, so names sort by delivery
 * time and never collide across processes, hosts or restarts.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

let counter = 0;
/** The host part, computed once: `os.hostname()` is a system call (uname) per call. */
let defaultHost: string | undefined;
/** `process.pid` is a system call (getpid) per read in Node 20; it never changes. */
const PID = process.pid;
/** Random bytes for the `R` field, drawn from the CSPRNG in blocks rather than per name. */
let pool = Buffer.alloc(0);
let poolAt = 0;
/** Last microsecond timestamp handed out; names get strictly increasing times in a process. */
let lastMicros = 0;

/** The host part: `/` and `:` are encoded as `\057` and `\072`, as the Maildir spec asks. */
export function safeHostname(name: string = hostname()): string {
  return name.replace(/\//g, '\\057').replace(/:/g, '\\072') || 'localhost';
}

/**
 * A fresh unique base name for a message about to be written to `tmp/`. Times come from a
 * monotonic microsecond clock and never repeat within a process, so names sort in the order
 * they were made.
 */
export function uniqueName(host: string = (defaultHost ??= safeHostname())): string {
  let micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  if (micros <= lastMicros) micros = lastMicros + 1;
  lastMicros = micros;
  const sec = Math.floor(micros / 1_000_000);
  const usec = micros % 1_000_000;
  counter = (counter + 1) % 1_000_000_000;
  if (poolAt + 4 > pool.length) {
    pool = randomBytes(1024);
    poolAt = 0;
  }
  const random = pool.toString('hex', poolAt, poolAt + 4);
  poolAt += 4;
  return `${sec}.M${usec}P${PID}Q${counter}R${random}.${host}`;
}

/** The uid of a file: its base name without the `:2,flags` info part. */
export function uidOf(fileName: string): string {
  const colon = fileName.indexOf(':');
  return colon === -1 ? fileName : fileName.slice(0, colon);
}

/**
 * Sort key for delivery order: seconds, then microseconds, then the name. Names not made by
 * us (other delivery agents) still sort by their leading time field.
 */
export function compareNames(a: string, b: string): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  return ka[0] - kb[0] || ka[1] - kb[1] || (a < b ? -1 : a > b ? 1 : 0);
}

function sortKey(name: string): [number, number] {
  const match = /^(\d+)\.(?:M(\d+))?/.exec(name);
  if (!match) return [Number.MAX_SAFE_INTEGER, 0];
  return [Number(match[1]), match[2] === undefined ? 0 : Number(match[2])];
}

/** Whether a directory entry is a message file (Maildir readers skip dot files). */
export function isMessageName(name: string): boolean {
  return name.length > 0 && !name.startsWith('.');
}
