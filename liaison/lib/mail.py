"""The e-mail backend of a production server without SMTP: sends nothing, and says so in the log.

The console backend would print invitation and password-reset links, which are as good as
passwords, into the server's log. This one logs only that a message to N recipients was not sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)
NOT_SENT = "E-mail not sent (EMAIL_HOST is not set): %r to %d recipient(s). Set EMAIL_HOST (docs/operations.md)."


class UnconfiguredEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            logger.error(NOT_SENT, message.subject, len(message.recipients()))
        return 0


MAIL_UNAVAILABLE = (
    "E-mail is not set up on this server (EMAIL_HOST), so invitations and password-reset links "
    "cannot be sent. Ask the server's administrator to configure it."
)


def mail_unavailable() -> bool:
    """True when this server cannot send mail at all (production without SMTP)."""
    from django.conf import settings

    return settings.EMAIL_BACKEND == f"{__name__}.UnconfiguredEmailBackend"
