# HọcSố: `make demo` serves the Vietnamese demo; `make test` runs the whole suite.
# Both create (or reuse) .venv with Python 3.11 and install what they need.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.hocso-installed
PYTEST_ARGS ?=

.PHONY: install assets translations demo test lint format bench ci clean

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	# --ignore-scripts: packages' install scripts never run (h5p-standalone's would fail).
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP) translations assets

# Compiled catalogues are built, never committed (Babel: no GNU gettext needed).
# locale/ holds cms and accounts; each other app keeps its own <app>/locale/.
translations: $(STAMP)
	@find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		-path '*/locale*/LC_MESSAGES/django.po' -print | while read -r po; do \
		$(VENV)/bin/pybabel compile -i "$$po" -o "$${po%.po}.mo" >/dev/null 2>&1 \
			|| { $(VENV)/bin/pybabel compile -i "$$po" -o /dev/null; exit 1; }; \
	done

# Front-end packages copied from node_modules into build/static (served locally).
assets: $(STAMP)
	@mkdir -p build/static/vendor
	# H5P player (h5p-standalone): dist/ copied whole, its CSS finds fonts/ and images/ beside it.
	@rm -rf build/static/vendor/h5p-standalone
	@cp -R node_modules/h5p-standalone/dist build/static/vendor/h5p-standalone
	# Dashboard charts (Chart.js, UMD build: one file, no bundler).
	@rm -rf build/static/vendor/chart.js && mkdir -p build/static/vendor/chart.js
	@cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md build/static/vendor/chart.js/

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "HọcSố: http://127.0.0.1:8000/  (Ctrl+C to stop)"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# bench/dashboard.py needs PostgreSQL (DATABASE_URL); here at 5% of the province (50,000
# learners, about 5 minutes); the full province: .venv/bin/python bench/dashboard.py.
bench: install
	@for script in bench/*.py; do \
		case $$script in \
		bench/dashboard.py) if [ -n "$$DATABASE_URL" ]; then echo "== $$script --scale 0.05"; $(PY) $$script --scale 0.05 || exit 1; \
			else echo "== $$script skipped: needs DATABASE_URL=postgres://..."; fi ;; \
		*) echo "== $$script"; $(PY) $$script || exit 1 ;; \
		esac; \
	done

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules build db.sqlite3 static_collected .pytest_cache
