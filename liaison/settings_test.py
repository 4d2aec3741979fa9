"""Settings for the test suite: production settings with test-safe environment defaults."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-signing-key-0123456789abcdefghijklmnop")
os.environ.setdefault("STUDENT_KEY_SECRET", "test-only-student-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("DATA_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))
# Playwright's live server runs in a thread beside the test's database connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from liaison.settings import *  # noqa: F403

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
