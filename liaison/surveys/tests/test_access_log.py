"""The application's access log (gunicorn with liaison.lib.access_log) keeps no address, browser,
token or time of day for the public survey, so its lines cannot be paired with anything: every
submission's line is the same."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from liaison.lib.access_log import SurveyPrivacyLogger

TOKEN = "Q2hhbmdlIHRoaXMgdG9rZW4gbm93IHBsZWFzZQ"
FORMATS = (
    Config().access_log_format,  # gunicorn's default (the "combined" log)
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(a)s %(f)s %(U)s?%(q)s %(L)s %({remote_addr}e)s',
)


def _line(logger: SurveyPrivacyLogger, log_format: str, path: str, address: str, agent: str, second: int) -> str:
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"{path}?lang=es",
        "PATH_INFO": path,
        "QUERY_STRING": "lang=es",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": address,
        "HTTP_USER_AGENT": agent,
        "HTTP_REFERER": f"https://liaison.example{path}",
    }
    request = SimpleNamespace(headers=[("USER-AGENT", agent), ("X-FORWARDED-FOR", address)])
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", f"{path}?done=1")])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(seconds=second, microseconds=1234))
    return log_format % logger.atoms_wrapper_class(atoms)


def test_survey_lines_carry_no_address_browser_token_or_time_and_are_all_alike() -> None:
    logger = SurveyPrivacyLogger(Config())
    for log_format in FORMATS:
        for path in (f"/surveys/s/{TOKEN}/", "/api/v1/surveys/responses", f"/api/v1/surveys/links/{TOKEN}/form-token"):
            lines = {_line(logger, log_format, path, f"203.0.113.{n}", f"Phone browser {n}", n) for n in range(1, 30)}
            assert len(lines) == 1, "every submission's line is the same: nothing to pair"
            (line,) = lines
            assert "203.0.113" not in line and "Phone browser" not in line and TOKEN not in line
            assert "lang=es" not in line and "liaison.example" not in line and ":" not in line.split('"')[0]


def test_other_requests_are_logged_as_usual() -> None:
    line = _line(SurveyPrivacyLogger(Config()), FORMATS[0], "/interactions/", "203.0.113.7", "Desk browser", 1)
    assert "203.0.113.7" in line and "Desk browser" in line and "/interactions/?lang=es" in line
