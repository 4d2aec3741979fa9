# Liaison: `make run` serves the demo, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint venv assets chromium benchmark

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# htmx and axe-core (for the accessibility checks in browser tests) come from the npm registry at
# install time (never committed). Pages work without htmx.
assets:
	@if [ -d node_modules/htmx.org ] && [ -d node_modules/axe-core ]; then :; \
	elif command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: pages will work without htmx enhancements"; fi

# Browser tests drive Debian's Chromium; install it when missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; }

run: venv assets
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py load_demo --if-empty
	DEBUG=true ./scripts/serve

test: venv assets chromium
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy liaison
	# DEBUG on: production settings refuse a placeholder secret (liaison/lib/secrets.py).
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache

benchmark: venv
	$(BIN)/python scripts/benchmark_oneroster.py
	$(BIN)/python scripts/benchmark_interactions_import.py
