"""A gunicorn access logger that writes nothing about who took a survey.

For the public survey (its pages, the form token and the submission) the line keeps only the
method, the route with the link token cut out, the protocol, the status and the day: no address,
no browser, no referrer, no header, no query string, no time of day, no duration. Every other
request is logged as gunicorn always does. Use it with `--logger-class
liaison.lib.access_log.SurveyPrivacyLogger` (scripts/serve does).
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.glogging import Logger

# (path prefix, what the line shows instead of the path)
PRIVATE_ROUTES = (
    ("/surveys/s/", "/surveys/s/…"),
    ("/s/", "/s/…"),
    ("/api/v1/surveys/responses", "/api/v1/surveys/responses"),
    ("/api/v1/surveys/links/", "/api/v1/surveys/links/…"),
)


def private_route(path: str) -> str | None:
    """What to show for a survey path (the token cut out), or None for any other path."""
    for prefix, shown in PRIVATE_ROUTES:
        if path.startswith(prefix):
            return shown
    return None


class SurveyPrivacyLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        shown = private_route(environ.get("PATH_INFO", ""))
        if shown is None:
            return dict(super().atoms(resp, req, environ, request_time))
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        method, protocol = environ.get("REQUEST_METHOD", "-"), environ.get("SERVER_PROTOCOL", "-")
        return {
            "h": "-",
            "l": "-",
            "u": "-",
            "t": time.strftime("[%d/%b/%Y]"),
            "r": f"{method} {shown} {protocol}",
            "s": status,
            "m": method,
            "U": shown,
            "q": "",
            "H": protocol,
            "b": "-",
            "B": None,
            "f": "-",
            "a": "-",
            "T": 0,
            "D": 0,
            "M": 0,
            "L": "-",
            "p": "-",
        }
