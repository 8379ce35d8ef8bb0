# Python smtplib against our server: STARTTLS (verified), AUTH, sendmail.
# usage: smtplib_send.py PORT CAFILE USER PASSWORD MECHANISM
import smtplib, ssl, sys

port, cafile, user, password, mech = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.create_default_context(cafile=cafile)
with smtplib.SMTP('127.0.0.1', port, timeout=10) as s:
    s.ehlo('python.test')
    s.starttls(context=ctx)
    s.ehlo('python.test')
    if mech == 'default':
        s.login(user, password)
    else:
        s.user, s.password = user, password
        s.auth(mech, getattr(s, 'auth_' + mech.lower().replace('-', '_')))
    msg = 'From: a@x.test\r\nTo: bob@y.test\r\nSubject: from python\r\n\r\n.leading dot\r\nbody\r\n'
    refused = s.sendmail('a@x.test', ['bob@y.test', 'carol@y.test'], msg)
    print('refused', refused)
