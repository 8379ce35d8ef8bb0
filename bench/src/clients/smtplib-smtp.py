# Python smtplib: N messages over one connection. argv: host port messageFile count
import smtplib, sys, time, json
host, port, path, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
data = open(path, 'rb').read()
t0 = time.perf_counter()
s = smtplib.SMTP(host, port)
for _ in range(count):
    s.sendmail('sender@example.test', ['rcpt@example.test'], data)
s.quit()
print(json.dumps({"workMs": (time.perf_counter() - t0) * 1000}))
