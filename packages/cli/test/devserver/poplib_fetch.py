# Python poplib against the dev server: STLS, then APOP or USER/PASS, UIDL, RETR, DELE, QUIT.
# usage: poplib_fetch.py PORT CAFILE USER PASSWORD apop|user  -> prints "UIDL <uid>" and the message
import poplib, ssl, sys

port, cafile, user, password, how = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=cafile)
p = poplib.POP3('127.0.0.1', port, timeout=10)
p.stls(context=ctx)
if how == 'apop':
    p.apop(user, password)
else:
    p.user(user)
    p.pass_(password)
resp, uidls, _ = p.uidl()
for line in uidls:
    print('UIDL', line.decode())
resp, lines, octets = p.retr(1)
sys.stdout.write('MESSAGE\n' + '\r\n'.join(l.decode() for l in lines) + '\r\n')
p.dele(1)
p.quit()
