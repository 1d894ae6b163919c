# splitalloc: `make book` (main job) and `make test`. Both create .venv when missing.
SHELL := /bin/bash
PYTHON ?= python3.11
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
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
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
