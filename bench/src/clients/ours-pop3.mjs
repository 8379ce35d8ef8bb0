// @mail/pop3: retrieve every message. Small messages go through the pipelined batch
// (retrMany); with `stream`, each message is read through retrStream (bounded memory).
// argv: host port user pass [stream]
import { POP3 } from '@mail/pop3';

const [host, port, user, pass, mode] = process.argv.slice(2);
const t0 = performance.now();
const pop = await POP3.connect({ host, port: Number(port), security: 'none', allowPlaintextAuth: true });
await pop.login(user, pass);
const { count } = await pop.stat();
let bytes = 0;
const all = Array.from({ length: count }, (_, i) => i + 1);
if (mode === 'stream') {
  for (const msg of all) for await (const chunk of pop.retrStream(msg)) bytes += chunk.length;
} else {
  for await (const m of pop.retrMany(all)) bytes += m.data.length;
}
const workMs = performance.now() - t0;
await pop.quit();
console.log(JSON.stringify({ workMs, bytes }));
