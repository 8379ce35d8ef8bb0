# Python poplib: RETR every message (one at a time; poplib cannot pipeline). argv: host port user pass
import poplib, sys, time, json
host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
poplib._MAXLINE = 1 << 30  # its 2048-byte line limit (bpo-16041) would fail large bodies
t0 = time.perf_counter()
p = poplib.POP3(host, port)
p.user(user); p.pass_(pw)
n, _ = p.stat()
total = 0
for i in range(1, n + 1):
    _, lines, octets = p.retr(i)
    total += octets
p.quit()
print(json.dumps({"workMs": (time.perf_counter() - t0) * 1000, "bytes": total}))
