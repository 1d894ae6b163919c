# splitalloc: `make book` (main job) and `make test`. Both create .venv when missing.
SHELL := /bin/bash
# The interpreter for .venv: PYTHON=... when given, otherwise the first of these that runs and is
# Python >= 3.11 (a name can exist and still fail, e.g. a pyenv shim for a version not selected).
PYTHON_CANDIDATES := python3.11 python3.12 python3.13 python3
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
  "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
endif
# Optional: an index to take torch from first, e.g. TORCH_INDEX=https://download.pytorch.org/whl/cpu
# for the CPU build on a Python for which this machine has no local torch wheel (see README).
TORCH_INDEX ?=
VENV := .venv
PY := $(VENV)/bin/python
SCALE ?= paper
STAMP := $(VENV)/.installed
DATA_DIR_DEFAULT := $(abspath ../shared/data)
# Point the data setting at ../shared/data when it exists and the user has not set it.
export SPLITALLOC_DATA_DIR ?= $(if $(wildcard $(DATA_DIR_DEFAULT)),$(DATA_DIR_DEFAULT),)

.PHONY: venv book test lab clean help

help:
	@echo "make book [SCALE=quick|paper]  install, reproduce every figure, build the book"
	@echo "make test                      install, run all tests (unit, nbval, book, browser)"
	@echo "make lab                       JupyterLab with the notebooks and the package importable"

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(PY) ]; then \
	  if [ -z "$(PYTHON)" ]; then \
	    echo "make: no Python >= 3.11 found (tried $(PYTHON_CANDIDATES)); install one or run make PYTHON=/path/to/python3.11" >&2; exit 2; fi; \
	  "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	    || { echo "make: PYTHON=$(PYTHON) does not run or is older than 3.11" >&2; exit 2; }; \
	  echo "== creating $(VENV) with $(PYTHON) ($$("$(PYTHON)" --version 2>&1))"; \
	  "$(PYTHON)" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(if $(TORCH_INDEX),$(PY) -m pip install --quiet --index-url $(TORCH_INDEX) -c constraints.txt torch)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (splitalloc)" >/dev/null
	@touch $(STAMP)

test: venv
	bash scripts/test.sh

book: venv
	bash scripts/build_book.sh $(SCALE)

lab: venv
	SPLITALLOC_RESULTS_DIR=$(CURDIR)/results $(VENV)/bin/jupyter lab $$([ "$$(id -u)" = 0 ] && echo --allow-root) notebooks/

clean:
	rm -rf book/_build book/generated results
