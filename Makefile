# The README's two commands: `make run` serves the site, `make test` runs every test.
# Both install what they need into .venv first: `make run` requirements.txt (what production runs),
# `make test` and `make lint` requirements-dev.txt (that and the tools; `make test` also Debian's
# Chromium and nginx when missing).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: age run test install install-dev catalogues chromium nginx lint

$(VENV)/installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

# On top of the site's packages, so that a change to either file reinstalls the tools.
$(VENV)/installed-dev: $(VENV)/installed requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/installed

install-dev: $(VENV)/installed-dev

catalogues: install
	$(BIN)/pybabel -q compile -d translations

# A random secret key for this machine, kept out of git (instance/ is ignored).
instance/config.py:
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

# Plain HTTP on loopback: session and consent cookies without the Secure flag, or forms would not work.
# The worker delivers the mail within a second or two and runs the daily jobs; it stops with the site.
run: catalogues instance/config.py
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	FLASK_SESSION_COOKIE_SECURE=false \
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# Debian's nginx for the deployment test (tests/deploy/test_tls.py), which says it is skipped when
# nginx could not be installed (not root, no network) rather than stopping every other test.
nginx:
	@test -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light) \
		|| echo "nginx-light could not be installed: tests/deploy/test_tls.py will be skipped"

# Debian's age, to show that the standard tool opens a backup (tests/backups), skipped without it.
age:
	@test -x /usr/bin/age || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq age) \
		|| echo "age could not be installed: its backup test will be skipped"

# One pytest worker per core (pytest-xdist): each has its own browser and database.
test: install-dev catalogues chromium nginx age
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

# Every figure of the benchmarks in one command (minutes; wrk and nginx from Debian): nginx's cached
# pages against its static files, pages against their floor and consenting against refusing visitors
# (median of 5), 304 and immutable static files, the export against the databases' own clients and
# the CLI's start-up. bench/load.py is apart (longer).
bench: install-dev catalogues nginx
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/export.py
