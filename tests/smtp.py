"""A real SMTP server on loopback (aiosmtpd) that keeps every message it accepts.

For tests that must count what reached a mail server, not what a backend was handed: a
worker configured with `smtp_env(server)` sends to it over TCP like to any mail server.
"""

import email
import threading

from tests.ports import free_port


class LoopbackSMTP:
    """The accepted messages, in order: (Message-ID, recipients) each."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._lock = threading.Lock()
        self._accepted: list[tuple[str, tuple[str, ...]]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self._lock:
            self._accepted.append((message["Message-ID"], tuple(envelope.rcpt_tos)))
        return "250 OK"

    def accepted(self) -> list[tuple[str, tuple[str, ...]]]:
        with self._lock:
            return list(self._accepted)

    def message_ids(self) -> list[str]:
        return [message_id for message_id, _ in self.accepted()]


def smtp_env(server: LoopbackSMTP) -> dict[str, str]:
    """Environment that points a worker's Django at this server."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_USE_TLS": "false",
    }
