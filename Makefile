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
# djangojs.po too: the Wagtail admin's JavaScript catalogue (locale_thirdparty/wagtail).
translations: $(STAMP)
	@find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		\( -path '*/locale*/LC_MESSAGES/django.po' -o -path '*/locale*/LC_MESSAGES/djangojs.po' \) \
		-print | while read -r po; do \
		$(VENV)/bin/pybabel compile -i "$$po" -o "$${po%.po}.mo" >/dev/null 2>&1 \
			|| { $(VENV)/bin/pybabel compile -i "$$po" -o /dev/null; exit 1; }; \
	done

# Front-end packages copied from node_modules into build/static (served locally).
assets: $(STAMP)
	@mkdir -p build/static/vendor
	# H5P player (h5p-standalone): dist/ copied whole, its CSS finds fonts/ and images/ beside it.
	@rm -rf build/static/vendor/h5p-standalone
	@cp -R node_modules/h5p-standalone/dist build/static/vendor/h5p-standalone
	# SCORM runtime (scorm-again): its 1.2 and 2004 builds (and their source maps, as Chart.js),
	# served on the content origin by assessments/scorm/serving.py.
	@rm -rf build/static/vendor/scorm-again && mkdir -p build/static/vendor/scorm-again
	@cp node_modules/scorm-again/dist/scorm12.min.js node_modules/scorm-again/dist/scorm12.min.js.map \
		node_modules/scorm-again/dist/scorm2004.min.js node_modules/scorm-again/dist/scorm2004.min.js.map \
		node_modules/scorm-again/LICENSE build/static/vendor/scorm-again/
	# Dashboard charts (Chart.js, UMD build: one file, no bundler).
	@rm -rf build/static/vendor/chart.js && mkdir -p build/static/vendor/chart.js
	# Its source map too: the bundle's sourceMappingURL names it, and collectstatic's manifest
	# storage (DEBUG=0) stops on a reference to a missing file.
	@cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
		node_modules/chart.js/LICENSE.md build/static/vendor/chart.js/
	# Service worker runtime (Workbox, one prod build per module; courses/offline/sw.js loads them).
	@rm -rf build/static/vendor/workbox && mkdir -p build/static/vendor/workbox
	@for m in core routing strategies range-requests; do \
		cp node_modules/workbox-$$m/build/workbox-$$m.prod.js node_modules/workbox-$$m/build/workbox-$$m.prod.js.map \
			build/static/vendor/workbox/; done
	@cp node_modules/workbox-core/LICENSE build/static/vendor/workbox/LICENSE

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "HọcSố: http://127.0.0.1:8000/  (Ctrl+C to stop)"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# tests/production/ (marked production) need a running deploy/run-local.sh topology: .ci/run
# runs them after starting it.
test: install
	$(VENV)/bin/pytest -n 2 -m "not production" $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# The import contracts in pyproject.toml (floors, models without views or services).
	$(VENV)/bin/lint-imports --no-cache
	# Template indentation (STYLE.md; `$(VENV)/bin/djhtml <dir>` reindents).
	$(VENV)/bin/djhtml --check cms accounts assessments courses campaigns
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml cms accounts assessments courses campaigns

# bench/_hocso.py is the benches' shared set-up, not a bench. hot_paths, quiz_spike and
# side_by_side need PostgreSQL on 127.0.0.1 (their own databases), redis-server, wrk and
# valgrind (Debian packages); side_by_side builds the wagtail-lms peer in /tmp (pip).
# bench/dashboard.py needs PostgreSQL (DATABASE_URL names the server only, default the local
# one; it makes a database of its own); here at 5% of the province (50,000 learners, about
# 2 minutes) and without the export timings (the detail XLSX of 245,000 rows alone outlasted
# 10 minutes); the full province with exports: .venv/bin/python bench/dashboard.py.
BENCH_DASHBOARD_SERVER ?= postgres://postgres@127.0.0.1:5432/postgres
# bench/certificates.py runs twice: SQLite (the process pays its commits' fsync) and
# PostgreSQL (production; --postgres makes and drops a database of its own).
# bench/import_learners.py times the import on PostgreSQL (issue 16): a database of its own
# on that server, made empty before the run and dropped after it.
BENCH_IMPORT_DATABASE ?= hocso_bench_import
# Each bench's start, load average and seconds are printed; one that fails is named at the
# end and the others still run (the status is then 1).
bench: install
	@failed=""; for script in bench/*.py; do \
		case $$script in bench/_*.py) continue ;; esac; \
		began=$$(date +%s); echo "== $$script ($$(date -u +%H:%M:%S) UTC, load $$(cut -d' ' -f1-3 /proc/loadavg))"; \
		case $$script in \
		bench/dashboard.py) echo "   --scale 0.05 --no-exports"; \
			DATABASE_URL="$${DATABASE_URL:-$(BENCH_DASHBOARD_SERVER)}" $(PY) $$script --scale 0.05 --no-exports || failed="$$failed $$script" ;; \
		bench/import_learners.py) echo "   on PostgreSQL: $(BENCH_IMPORT_DATABASE)"; \
			psql "$(BENCH_DASHBOARD_SERVER)" -qc "DROP DATABASE IF EXISTS $(BENCH_IMPORT_DATABASE)" && \
			psql "$(BENCH_DASHBOARD_SERVER)" -qc "CREATE DATABASE $(BENCH_IMPORT_DATABASE)" && \
			DATABASE_URL="$(dir $(BENCH_DASHBOARD_SERVER))$(BENCH_IMPORT_DATABASE)" $(PY) $$script || failed="$$failed $$script"; \
			psql "$(BENCH_DASHBOARD_SERVER)" -qc "DROP DATABASE IF EXISTS $(BENCH_IMPORT_DATABASE)" ;; \
		bench/certificates.py) echo "   on SQLite, then on PostgreSQL: hocso_bench_certificates"; \
			$(PY) $$script || failed="$$failed $$script"; \
			$(PY) $$script --postgres "$(dir $(BENCH_DASHBOARD_SERVER))hocso_bench_certificates" || failed="$$failed $$script" ;; \
		*) $(PY) $$script || failed="$$failed $$script" ;; \
		esac; \
		echo "== $$script took $$(( $$(date +%s) - began )) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "== failed:$$failed"; exit 1; fi

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules build db.sqlite3 static_collected .pytest_cache
