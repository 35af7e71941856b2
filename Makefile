# Two commands on a fresh clone: `make html` builds the demo network, `make test` runs the tests.
# Both create .venv and install the pinned requirements first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

.PHONY: html test serve check bench lint format clean browser editor

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Netroots needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

html: $(STAMP)
	$(PY) tasks.py build

test: $(STAMP)
	$(PY) -m pytest

serve: $(STAMP)
	$(PY) tasks.py serve

check: $(STAMP)
	$(PY) tasks.py check

bench: $(STAMP)
	$(PY) tasks.py bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Chromium for the browser tests (Debian packages; needs root). CI runs this.
browser:
	bash scripts/install-browser.sh

# The web editor at /admin/, locally: install the pinned Decap CMS and decap-server (npm), then serve.
editor: $(STAMP)
	bash scripts/install-decap.sh
	$(PY) tasks.py editor

clean:
	rm -rf output .cache/preview
