"""Stand-ins on loopback for the notifications' outside world: a real SMTP server (aiosmtpd)
and an HTTP server that answers as LINE's push endpoint does, and fails on demand.

The LINE stand-in checks what LINE documents for POST /v2/bot/message/push: the bearer
token, a JSON body {"to": ID, "messages": [1-5 messages, each {"type": "text", "text"}]},
and the X-Line-Retry-Key header (a UUID): a key already accepted gets 409, as LINE does.
"""

import email
import email.policy
import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

LINE_TOKEN = "test-channel-access-token"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message; refuses addresses in `refuse`."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "subject": str(parsed["subject"]),
                    "body": parsed.get_body(preferencelist=("plain",)).get_content(),
                }
            )
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1; the project's settings point at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "otop@cdd.example"
    yield mailbox
    controller.stop()


class LineStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), LineHandler)
        self.pushed = []  # accepted pushes: {"to", "text", "retry_key"}
        self.requests = []  # every request: (status, retry_key)
        self.plan = []  # what to answer next: "ok", "timeout" or a status code
        self.accepted_keys = set()
        self.lock = threading.Lock()
        self.release = threading.Event()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class LineHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, payload, key=None):
        with self.server.lock:
            self.server.requests.append((status, key))
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        server = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path != "/v2/bot/message/push":
            return self.reply(404, {"message": "Not found"})
        if self.headers.get("Authorization") != f"Bearer {LINE_TOKEN}":
            return self.reply(401, {"message": "Authentication failed"})
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            return self.reply(415, {"message": "Unsupported media type"})
        key = self.headers.get("X-Line-Retry-Key")
        try:
            uuid.UUID(key)
            data = json.loads(raw)
            messages = data["messages"]
            assert isinstance(data["to"], str) and data["to"]
            assert 1 <= len(messages) <= 5
            assert all(m["type"] == "text" and 0 < len(m["text"]) <= 5000 for m in messages)
        except (TypeError, ValueError, KeyError, AssertionError):
            return self.reply(400, {"message": "The request body has 1 error(s)"})
        with server.lock:
            if key in server.accepted_keys:
                duplicate = True
            else:
                duplicate = False
                action = server.plan.pop(0) if server.plan else "ok"
        if duplicate:
            return self.reply(409, {"message": "The retry key is already accepted"}, key)
        if isinstance(action, int):
            return self.reply(action, {"message": f"planned {action}"}, key)
        with server.lock:
            server.accepted_keys.add(key)
            server.pushed.append({"to": data["to"], "text": messages[0]["text"], "retry_key": key})
        if action == "timeout":
            # LINE took the message but the answer never comes back in time.
            server.release.wait(timeout=5)
            return None
        return self.reply(200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]}, key)


@pytest.fixture
def line_api(settings):
    """The LINE stand-in on 127.0.0.1; LINE_API_BASE_URL and the token point at it."""
    server = LineStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.LINE_API_BASE_URL = server.url
    settings.LINE_CHANNEL_ACCESS_TOKEN = LINE_TOKEN
    settings.LINE_TIMEOUT = 1
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
