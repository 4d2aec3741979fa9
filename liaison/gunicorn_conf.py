"""gunicorn's settings for Liaison (`gunicorn -c python:liaison.gunicorn_conf liaison.wsgi`)."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
accesslog = "-"
errorlog = "-"
# The access log never shows invitation, password-reset or survey links (liaison/lib/logs.py).
logger_class = "liaison.lib.logs.RedactingGunicornLogger"
# Files the server creates (the SQLite database, uploads, backups) are the service user's alone.
umask = 0o077
# Let a request in progress finish when the service stops or restarts.
graceful_timeout = 30
