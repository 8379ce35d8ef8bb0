// The smallest SMTP sink that still speaks the protocol: replies to each command line and
// discards DATA until the terminator. Used as the ceiling for large-message throughput.
// Replies to the commands of one network read leave in one write, as Postfix does (RFC 2920
// sec. 3.2 lets a server batch them): written one by one, the second reply of a pipelined
// group waits in Nagle's buffer for the client's delayed ACK (~40 ms on Linux loopback),
// which would time the sink's own stall rather than the client.
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const TERM = Buffer.from('\r\n.\r\n');
createServer((sock) => {
  let inData = false;
  let tail = Buffer.alloc(0);
  let line = '';
  sock.write('220 sink ESMTP\r\n');
  sock.on('data', (buf) => {
    const replies = [];
    try { consume(buf, replies); } finally { if (replies.length) sock.write(replies.join('')); }
  });
  function consume(buf, replies) {
    let chunk = buf;
    while (chunk.length) {
      if (inData) {
        const probe = tail.length ? Buffer.concat([tail, chunk.subarray(0, 4)]) : null;
        let end = probe ? probe.indexOf(TERM) : -1;
        if (end >= 0) end = end - tail.length + TERM.length;
        else { const i = chunk.indexOf(TERM); end = i >= 0 ? i + TERM.length : -1; }
        if (end < 0) { tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 4))); return; }
        inData = false; tail = Buffer.alloc(0);
        replies.push('250 2.0.0 Ok: queued\r\n');
        chunk = chunk.subarray(end);
        continue;
      }
      const nl = chunk.indexOf(10);
      if (nl < 0) { line += chunk.toString('latin1'); return; }
      line += chunk.subarray(0, nl + 1).toString('latin1');
      chunk = chunk.subarray(nl + 1);
      const verb = line.slice(0, 4).toUpperCase();
      line = '';
      if (verb === 'EHLO') replies.push('250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 0\r\n');
      else if (verb === 'DATA') { inData = true; tail = Buffer.from('\r\n'); replies.push('354 go\r\n'); }
      else if (verb === 'QUIT') { sock.end(replies.splice(0).join('') + '221 bye\r\n'); return; }
      else replies.push('250 ok\r\n');
    }
  }
  sock.on('error', () => {});
}).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
