# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install translations translations-update check clean-venv

run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo
	$(BIN)/python run.py

test: install translations
	$(BIN)/python -m pytest

install: $(STAMP)

# Reinstalls only when the requirements change, so a second `make run` starts at once.
$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

translations: install
	$(BIN)/pybabel -q compile -d translations

# After changing user-visible text: refresh the catalogs, then translate the new Spanish entries.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* _* tests migrations static' \
		-o translations/messages.pot --no-location --sort-output --project "Service desk" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

check: install
	$(BIN)/flask check

clean-venv:
	rm -rf $(VENV)
