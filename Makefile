# The few commands people run. `make run` and `make test` work on a fresh clone.
PORT ?= 8000
export SITE_URL ?= http://127.0.0.1:$(PORT)
PY := .venv/bin/python

.PHONY: run test lint format bench client-types

.venv/bin/python:
	python3 -m venv .venv
	.venv/bin/pip install -q --upgrade pip

.venv/.installed-run: pyproject.toml | .venv/bin/python
	.venv/bin/pip install -q -e ".[native]"
	touch $@

# The dev venv also holds the Python client (its own package, which the server never imports),
# for its tests and the `synthgen` command; installed second, so that its `synthgen` script
# outlives the removal of the one older server packages installed.
.venv/.installed-dev: pyproject.toml clients/python/pyproject.toml | .venv/bin/python
	.venv/bin/pip install -q -e ".[dev,native]"
	.venv/bin/pip install -q -e ./clients/python
	touch $@ .venv/.installed-run

# The TypeScript client's tools (TypeScript, openapi-typescript), exactly as locked.
clients/typescript/node_modules/.package-lock.json: clients/typescript/package-lock.json
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error

# The engine's newest modules compiled with mypyc: the same output, about twice as fast
# (generators/engine/native.py). Without a C compiler it says so and the engine stays Python.
generators/engine/_native/SOURCES: $(wildcard generators/engine/*.py) | .venv/.installed-run
	$(PY) bin/compile-engine

run: .venv/.installed-run generators/engine/_native/SOURCES
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo
	@bin/serve $(PORT)

test: .venv/.installed-dev clients/typescript/node_modules/.package-lock.json generators/engine/_native/SOURCES
	$(PY) manage.py makemigrations --check --dry-run -v0
	.venv/bin/pytest

lint: .venv/.installed-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

format: .venv/.installed-dev
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: .venv/.installed-dev generators/engine/_native/SOURCES
	for script in benchmarks/*.py; do $(PY) $$script || exit 1; done

# The TypeScript client's types, from the schema /api/schema/ serves (no server needed).
client-types: .venv/.installed-dev clients/typescript/node_modules/.package-lock.json
	mkdir -p var
	$(PY) manage.py shell -v0 -c "import sys; from django.test import Client; \
	  sys.stdout.buffer.write(Client(HTTP_HOST='127.0.0.1').get('/api/schema/?format=json').content)" \
	  > var/openapi.json
	cd clients/typescript && node scripts/generate-types.mjs ../../var/openapi.json
