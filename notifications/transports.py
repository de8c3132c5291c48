"""Send one delivery by e-mail or LINE, or say why not (a TransportError).

Like healthchecks' transports: a small class per channel. A TransportError is `permanent`
when trying again cannot help (a refused address, a LINE ID that does not exist, no token
set); the worker then gives up at once instead of retrying.
"""

import smtplib

import urllib3
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    TextMessage,
)

from notifications.models import Channel

# LINE refuses a text message longer than this.
LINE_TEXT_LIMIT = 5000


class TransportError(Exception):
    def __init__(self, message, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def text_of(event):
    """Return the plain text of an event: its body and the link to its page."""
    return f"{event.body}\n\nเปิดดู: {event.link}"


class Email:
    def send(self, delivery):
        event = delivery.event
        message = EmailMessage(
            subject=f"[OTOP] {event.subject}",
            body=text_of(event) + "\n\n-- ศูนย์ข้อมูลยอดจำหน่าย OTOP กรมการพัฒนาชุมชน",
            to=[delivery.address],
            connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
        )
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"SMTP refused the recipient: {exc}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP: {type(exc).__name__}: {exc}") from exc


class Line:
    """Push a text message through the Messaging API (POST /v2/bot/message/push)."""

    def send(self, delivery):
        token = settings.LINE_CHANNEL_ACCESS_TOKEN
        if not token:
            raise TransportError("LINE_CHANNEL_ACCESS_TOKEN is not set", permanent=True)
        event = delivery.event
        text = f"{event.subject}\n{text_of(event)}"
        if len(text) > LINE_TEXT_LIMIT:
            text = f"{text[: LINE_TEXT_LIMIT - len(event.link) - 20]}…\nเปิดดู: {event.link}"
        configuration = Configuration(host=settings.LINE_API_BASE_URL, access_token=token)
        configuration.retries = False  # the worker retries, with backoff and a retry key
        try:
            with ApiClient(configuration) as client:
                MessagingApi(client).push_message(
                    PushMessageRequest(to=delivery.address, messages=[TextMessage(text=text)]),
                    x_line_retry_key=str(delivery.retry_key),
                    _request_timeout=settings.LINE_TIMEOUT,
                )
        except ApiException as exc:
            if exc.status == 409:
                # LINE accepted a request with this retry key before (a retry after a
                # timeout whose first try got through): the message was sent once.
                return
            body = (exc.body or b"")[:500]
            if isinstance(body, bytes):
                body = body.decode("utf-8", "replace")
            message = f"LINE {exc.status} {exc.reason}: {body}"
            raise TransportError(message, permanent=exc.status in (400, 401, 403, 404)) from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransportError(f"LINE: {type(exc).__name__}: {exc}") from exc


TRANSPORTS = {Channel.EMAIL: Email(), Channel.LINE: Line()}
