// Access to the real servers started by test/peers.global-setup.ts: skipped outside CI when
// one is not installed, a failure in CI (the global setup throws there).
import { readFileSync } from 'node:fs';
import { inCI, type PeerInfo, type PeerName } from '@mail/peers';
import { inject } from 'vitest';

/** `[skip, title]` for describe.skipIf: skip only outside CI when the peer is missing. */
export function peerSuite(name: PeerName, title: string): [boolean, string] {
  const { running, missing } = inject('peers');
  const absent = running[name] === undefined;
  const why = missing[name] ?? 'not started';
  return [absent && !inCI(), absent ? `${title} (SKIPPED: ${why})` : title];
}

/** The running peer (throws when absent, which only happens in skipped suites or in CI). */
export function peer(name: PeerName): PeerInfo & { caPem: string } {
  const info = inject('peers').running[name];
  if (!info) throw new Error(`peer ${name} is not running`);
  return { ...info, caPem: info.ca ? readFileSync(info.ca, 'utf8') : '' };
}

/** RFC 5321 normalisation as an independent oracle: every CR, LF and CRLF becomes CRLF, final CRLF added. */
export function normalized(input: string | Buffer): Buffer {
  const text = Buffer.isBuffer(input) ? input.toString('latin1') : Buffer.from(input, 'utf8').toString('latin1');
  const crlf = text.replace(/\r\n|\r|\n/g, '\r\n');
  return Buffer.from(crlf === '' || crlf.endsWith('\r\n') ? crlf : `${crlf}\r\n`, 'latin1');
}
