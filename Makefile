# Learn, Create, Engage: two commands (make run, make test); everything else is extra.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
STAMP := $(VENV)/.configured
HOST ?= 127.0.0.1
PORT ?= 8888
SITE_PORT ?= 8000
PROGRAMME_PORT ?= 8889

.DEFAULT_GOAL := help
.PHONY: help setup run test test-fast lint lab mentorship programme serve-site bench lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): binder/requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --progress-bar on -r binder/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(STAMP): $(INSTALLED) binder/configure-jupyter
	PATH="$(CURDIR)/$(BIN):$$PATH" binder/configure-jupyter >/dev/null
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

setup: $(STAMP)  ## create .venv and install the pinned environment and the package

run: $(STAMP)  ## set up, then run the whole programme pipeline on the sample data
	$(BIN)/lce run

test: $(STAMP) node_modules/.installed  ## set up, then run the test suite
	$(BIN)/python -m pytest

test-fast: $(STAMP)  ## the tests without a browser and without the slow ones (a quick check while working)
	$(BIN)/python -m pytest -m "not slow and not browser" -q

lint: $(STAMP)  ## ruff, mypy and notebooks without outputs, as pre-commit runs them (CI runs this too)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

lab: $(STAMP)  ## JupyterLab on 127.0.0.1, opening index.ipynb
	JUPYTER_CONFIG_PATH="$(CURDIR)/binder/learner-config$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(BIN)/jupyter lab --config=binder/jupyter_lab_config.py --ip=$(HOST) --port=$(PORT)

mentorship: $(STAMP)  ## the mentorship Voila apps on 127.0.0.1 (DEMO=1: the demo programme's database)
	$(BIN)/lce mentorship serve --port $(PORT)$(if $(DEMO), --demo)

programme: $(STAMP)  ## the programme register's staff app and attestation page on 127.0.0.1 (DEMO=1: the demo register)
	$(BIN)/lce programme serve --port $(PROGRAMME_PORT)$(if $(DEMO), --demo)

serve-site: $(STAMP)  ## serve the built report site (_site/) on 127.0.0.1
	$(BIN)/python -m http.server --bind $(HOST) --directory _site $(SITE_PORT)

bench: $(STAMP)  ## run the benchmarks (ratios against baselines measured in the same run)
	$(BIN)/python -m benchmarks

lock: $(STAMP)  ## regenerate binder/requirements.txt from pyproject.toml
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header --annotation-style line -o binder/requirements.txt

clean:  ## remove generated outputs (keeps .venv)
	rm -rf _site ._site.* var courses/release courses/submitted courses/autograded courses/feedback courses/exports courses/gradebook.db
