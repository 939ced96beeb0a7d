"""A real SMTP server for the email tests: aiosmtpd with STARTTLS required and AUTH (PLAIN/LOGIN) required.

Each accepted message is written to OUT/NNNN.eml (with OUT/NNNN.rcpt listing the envelope recipients), so the test
reads exactly what the server accepted. Prints READY once listening; stops when stdin closes or on SIGTERM.
Usage: smtp_server.py PORT CERT KEY OUT  (user and password from SMTP_TEST_USER / SMTP_TEST_PASSWORD)
"""
import os
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
user = os.environ["SMTP_TEST_USER"].encode()
password = os.environ["SMTP_TEST_PASSWORD"].encode()
lock = threading.Lock()


class Handler:
    async def handle_DATA(self, server, session, envelope):
        with lock:
            n = len([f for f in os.listdir(out) if f.endswith(".eml")]) + 1
            path = os.path.join(out, "%04d" % n)
            with open(path + ".rcpt", "w") as f:
                f.write("\n".join(envelope.rcpt_tos))
            with open(path + ".tmp", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            os.replace(path + ".tmp", path + ".eml")
        return "250 OK accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password:
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
    authenticator=authenticate, auth_required=True, auth_require_tls=True)
controller.start()
print("READY", flush=True)
try:
    sys.stdin.read()
finally:
    controller.stop()
