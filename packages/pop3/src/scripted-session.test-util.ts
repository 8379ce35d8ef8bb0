import { Duplex } from 'node:stream';
import { Connection } from '@mail/transport';
import { Core } from './core.js';
import { parseCapa } from './protocol/index.js';

/** A scripted session for unit tests: the client's Core, the server side, what the client sent. */
export interface ScriptedSession {
  core: Core;
  /** Makes `data` arrive from the server (a fresh buffer per push: the client unstuffs in place). */
  feed: (data: string) => void;
  /** Everything the client has written so far, as latin1. */
  written: () => string;
}

/**
 * A client Core in the TRANSACTION state over an in-memory socket whose server side is
 * scripted by `feed`. `capabilities` are parsed as a CAPA listing (e.g. `['PIPELINING']`).
 */
export function scriptedSession(capabilities: string[] = []): ScriptedSession {
  let out = '';
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString('latin1');
      cb();
    },
  });
  const core = new Core(Connection.fromSocket(socket, { protocol: 'pop3' }), true, 1000);
  if (capabilities.length > 0) {
    const caps = parseCapa(capabilities);
    if (!caps.ok) throw new Error(`bad test capabilities: ${capabilities.join(' ')}`);
    core.capabilities = caps.value;
  }
  core.state = 'TRANSACTION';
  return { core, feed: (data) => socket.push(Buffer.from(data, 'latin1')), written: () => out };
}
