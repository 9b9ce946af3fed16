# Two commands: `make run` (venv, install, migrate, demo data if empty, serve with the scheduler
# in-process) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DATABASE_URL ?= sqlite:///var/bail-checkin.sqlite3
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test check install migrate seed serve scheduler fake-twilio bench bench-dispatch bench-checkin bench-admin bench-month clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Packages are installed by uv (itself installed into the venv by pip first): the same
# packages from the same index as pip, in 10-25 s (25 with nothing cached) where pip took 55.
# dlib comes as the prebuilt dlib-bin wheel (never compiled); face_recognition is installed
# last and without its dependencies, so the installer never tries to build dlib from source
# (its package metadata asks for "dlib", which dlib-bin provides under another name). Its
# models package imports pkg_resources, hence setuptools<82. The filter hides setuptools'
# generic notice about editable installs, which concerns nothing here.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/uv pip
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
	$(PIP) install --python $(BIN)/python --quiet --upgrade "setuptools<82" wheel
	$(PIP) install --python $(BIN)/python --quiet dlib-bin
	$(PIP) install --python $(BIN)/python --quiet -e .
	$(PIP) install --python $(BIN)/python --quiet --no-deps face-recognition face-recognition-models
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --python $(BIN)/python --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/bail-checkin migrate

seed: migrate
	$(BIN)/bail-checkin seed-demo --if-empty

# The scheduler runs inside the API process (RUN_SCHEDULER=1); without TWILIO_* credentials
# reminders go to var/outbox.log instead of Twilio. DEMO=1: made-up data, so a data key is made
# in var/data.key (outside the demo, serve and scheduler refuse to start without DATA_KEYS).
run: seed system-packages-run admin-assets
	DEMO=1 RUN_SCHEDULER=1 $(BIN)/bail-checkin serve --port $(PORT)

# The scheduler on its own (as in compose.yaml) on the demo database, and a fake Twilio.
scheduler: migrate
	DEMO=1 $(BIN)/bail-checkin scheduler

fake-twilio: install
	$(BIN)/python -m scheduler.fake_twilio --port 8099

# Two passes: everything but the camera tests in $(TEST_WORKERS) processes (pytest-xdist; each
# worker has its own PostgreSQL database, test_gw0, test_gw1, ...), the other browser tests
# included (their waits on emulated networks overlap the rest), then the browser tests whose
# fake camera plays a timed clip on their own, so that the timing of their clips does not
# depend on what runs beside them. `worksteal`: a worker that runs out of tests takes some of
# the other's, so neither idles while the other finishes a queue of slow ones.
# A selection in PYTEST_ARGS that leaves one pass empty is fine (pytest's exit status 5).
TEST_WORKERS ?= 2
test: $(VENV)/.installed-test system-packages-test admin-assets check
	$(BIN)/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist worksteal -m "not camera" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -p no:cacheprovider -m camera $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The house rules, before any test: the layer contracts (import-linter, pyproject.toml),
# the type checker over the four packages, and the linter. Each fails with its own message.
check: $(VENV)/.installed-test
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/ruff check reporting_api scheduler liveness admin_ui tests bench

# Debian packages the service and its tests use, installed when missing (apt-get update only
# if the first try fails): Chromium for the browser tests (driven by Playwright, never a
# downloaded browser), Thai fonts for the PDF export, pdftotext to check that PDF's text.
SYSTEM_PACKAGES_RUN := fonts-thai-tlwg
SYSTEM_PACKAGES_TEST := chromium fonts-thai-tlwg poppler-utils
.PHONY: system-packages-run system-packages-test admin-assets
system-packages-run:
	@./.ci/apt-ensure $(SYSTEM_PACKAGES_RUN)
system-packages-test:
	@./.ci/apt-ensure $(SYSTEM_PACKAGES_TEST)

# htmx for the admin pages, from the npm registry (admin_ui/frontend/package-lock.json), copied
# next to the pages' own static files; not committed.
ADMIN_VENDOR := admin_ui/static/vendor/htmx.min.js
admin-assets: $(ADMIN_VENDOR)
$(ADMIN_VENDOR): admin_ui/frontend/package.json admin_ui/frontend/package-lock.json
	cd admin_ui/frontend && npm ci --no-audit --no-fund --silent
	mkdir -p admin_ui/static/vendor
	cp admin_ui/frontend/node_modules/htmx.org/dist/htmx.min.js $@

# Words (docs/translating.md): extract every message of the code and templates of each catalog
# into its template (.pot, not committed), then bring the Thai and English catalogs (.po) up to
# date with it: new messages come in empty, messages no longer used go. A catalog is its folder
# with a locale/ inside; the service compiles the .po files in memory when it first needs them.
CATALOGS := admin_ui reporting_api/checkin_page
.PHONY: messages
messages: $(VENV)/.installed
	for dir in $(CATALOGS); do \
	  $(BIN)/pybabel extract --mapping-file babel.cfg --add-comments TRANSLATORS: \
	    --add-location file --sort-by-file --width 100 --project bail-checkin \
	    --copyright-holder "Justice Fund bail check-in" \
	    --output-file $$dir/locale/messages.pot $$dir || exit 1; \
	  $(BIN)/pybabel update --input-file $$dir/locale/messages.pot --output-dir $$dir/locale \
	    --domain messages --ignore-obsolete --previous --width 100 || exit 1; \
	done

bench: $(VENV)/.installed-test
	$(BIN)/python bench/seed_demo.py
	$(BIN)/python bench/api_read.py

# Dispatch benches on PostgreSQL (databases bench_dispatch_*, created if missing).
bench-dispatch: $(VENV)/.installed-test
	$(BIN)/python bench/dispatch_faults.py
	$(BIN)/python bench/dispatch_throughput.py

clean:
	rm -rf $(VENV) var/*.sqlite3 *.egg-info

# Twenty check-ins at once against one server (PostgreSQL database bench_checkin, recreated);
# e.g. `make bench-checkin CHECKIN_ARGS="--people 4 --database sqlite"`.
bench-checkin: $(VENV)/.installed-test
	$(BIN)/python bench/checkin_load.py $(CHECKIN_ARGS)

# Issue 6: p95 of the Today and report pages over HTTP on the `bench` database (seeded with
# 100,000 defendants first if it holds fewer); e.g. `make bench-admin ADMIN_ARGS="--requests 20"`.
bench-admin: $(VENV)/.installed-test
	$(BIN)/python bench/admin_pages.py $(ADMIN_ARGS)

# Issue 14: a simulated month through the API, the scheduler and the sweeps (PostgreSQL database
# bench_month, recreated); e.g. `make bench-month MONTH_ARGS="--people 2000 --seed 7"`.
bench-month: $(VENV)/.installed-test
	$(BIN)/python bench/simulate_month.py $(MONTH_ARGS)
