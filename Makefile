# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev translations translations-update check

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo
	$(BIN)/python run.py

test: install-dev translations
	$(BIN)/python -m pytest

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

translations: install
	$(BIN)/pybabel -q compile -d translations

# After changing user-visible text: refresh the catalogs, then translate the new Spanish entries.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 -k lazy_pgettext:1c,2 --ignore-dirs='.* _* tests migrations static' \
		-o translations/messages.pot --no-location --sort-output --project "Service desk" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

check: install
	$(BIN)/flask check
