# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-dev requirements translations translations-update check

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo
	$(BIN)/python run.py

test: install-dev translations
	$(BIN)/python -m pytest

# ruff (pyproject.toml) and the import order; CI fails on any finding.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/isort --check-only --diff .

# Each install step reruns only when its requirements change, so a second `make run` starts at once.
install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# After editing requirements.in or requirements-dev.in: pin again, every package these need
# included. Existing pins are kept; to upgrade, e.g. `make requirements UPGRADE="--upgrade-package flask"`
# (or UPGRADE=--upgrade for everything), then run `make test`.
PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links $(UPGRADE)
requirements: install-dev
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

translations: install
	$(BIN)/pybabel -q compile -d translations

# After changing user-visible text: refresh the catalogs, then translate the new Spanish entries.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k lazy_pgettext:1c,2 --ignore-dirs='.* _* tests migrations static' \
		-o translations/messages.pot --no-location --sort-output --project "Service desk" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

check: install
	$(BIN)/flask check
