// node-pop3: RETR every message, one at a time (it has no pipelining). argv: host port user pass
import Pop3Command from 'node-pop3';

const [host, port, user, password] = process.argv.slice(2);
const t0 = performance.now();
const pop3 = new Pop3Command({ host, port: Number(port), user, password, tls: false });
const list = await pop3.UIDL();
let bytes = 0;
for (const [msg] of list) bytes += (await pop3.RETR(msg)).length;
await pop3.QUIT();
console.log(JSON.stringify({ workMs: performance.now() - t0, bytes }));
