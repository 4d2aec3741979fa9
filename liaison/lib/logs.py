"""Log lines with time and level (JSON on request), with secrets in URLs taken out.

An invitation or password link is as good as a password until used, a survey link lets anyone
answer as a student, and a bearer token is a login: none of them may reach a log file. Django logs
a request's path on a 404 or an error, and gunicorn's access log logs every path, so both pass
through `redact`.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from typing import Any

from .access_log import SurveyPrivacyLogger

REDACTED = "[redacted]"
_SECRET_IN_TEXT = [
    # Invitation and password links: /accounts/password/set/<uid>/<token>/
    (re.compile(r"(/password/set/)[^/\s\"'?]+/[^/\s\"'?]+"), rf"\1{REDACTED}/{REDACTED}"),
    # Anonymous survey links: /surveys/s/<token>/
    (re.compile(r"(/surveys/s/)[^/\s\"'?]+"), rf"\1{REDACTED}"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE), rf"\1{REDACTED}"),
    (re.compile(r"((?:token|key|code|password)=)[^&\s\"']+", re.IGNORECASE), rf"\1{REDACTED}"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_IN_TEXT:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets taken out (arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class RedactingGunicornLogger(SurveyPrivacyLogger):
    """gunicorn's access log without the secret parts of paths and query strings, and without who
    took a survey (access_log.py)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "q", "f"):
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        return atoms
