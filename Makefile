# mapletree_edu: developer entry points.
#
#   make lab                JupyterLab on notebooks/ (127.0.0.1, token authentication on)
#   make notebook           the same in Jupyter Notebook 7
#   make slides NB=FILE     present a lesson as slides with live players (Voila, reveal.js)
#   make test               test suite (without tests marked slow), then nbval over notebooks/
#   make test-long          whole suite, slow tests included, long Hypothesis profile
#   make bench              every bench/bench_*.py script
#   make refresh-notebooks  re-execute notebooks/*.ipynb in place (tools/refresh_notebooks.py)
#   make lint               ruff check
#   make clean              caches and build artefacts (`make distclean` also removes .venv)
#
# `lab` and `notebook` need Python only: the players draw in the browser. `setup-test` (run
# by test, test-long, bench and refresh-notebooks) is the only target that installs system
# packages: Graphviz's `dot` and Chromium, via apt-get when root on Debian/Ubuntu.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
VENV        := .venv
VPY         := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
EXTRAS      := notebooks,test,bench
OVERRIDES   := $(VENV)/share/jupyter/lab/settings/overrides.json
SYSTEM_PACKAGES := graphviz chromium fonts-dejavu-core

LAB_PORT    ?= 8888
LAB_ARGS    ?=
PYTEST_ARGS ?=
# `make test` leaves out tests marked slow; `make test-long` runs them.
TEST_MARKERS ?= not slow

ALLOW_ROOT  := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
NOTEBOOKS   := $(wildcard notebooks/*.ipynb)
# Open the index notebook (and print its URL with the token) once it exists.
LAB_OPEN    := $(if $(wildcard notebooks/00-index.ipynb),--LabApp.default_url=/lab/tree/00-index.ipynb 00-index.ipynb,)

.PHONY: help setup setup-test system-deps lab notebook slides slides-usage test test-long bench refresh-notebooks \
  lint clean distclean

help:
	@sed -n '3,15p' Makefile | sed 's/^# \{0,1\}//'

# ---------------------------------------------------------------------------- setup

# Python packages only (the virtualenv): enough for the lessons.
setup: $(STAMP) $(OVERRIDES)

# What the tests, benchmarks and notebook refresh need besides: Graphviz and Chromium.
setup-test: setup system-deps

system-deps:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing dot(graphviz)"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ -f /etc/debian_version ] && [ "$$(id -u)" = 0 ]; then \
	  echo "setup-test: missing:$$missing; installing: $(SYSTEM_PACKAGES)"; \
	  apt-get update && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y $(SYSTEM_PACKAGES) || exit 1; \
	else \
	  echo "setup-test: missing:$$missing" >&2; \
	  echo "setup-test: install these system packages, then run make again:" >&2; \
	  echo "         Debian/Ubuntu: sudo apt-get install $(SYSTEM_PACKAGES)" >&2; \
	  echo "         elsewhere: Graphviz (the 'dot' command) and Chromium ('chromium' on PATH)" >&2; \
	  exit 1; \
	fi

$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -e '.[$(EXTRAS)]'
	@touch $@

# Silence JupyterLab's "get notified about official Jupyter news?" toast and update check.
$(OVERRIDES): $(STAMP)
	@mkdir -p $(dir $@)
	@printf '%s\n' '{' \
	  '  "@jupyterlab/apputils-extension:notification": {' \
	  '    "checkForUpdates": false,' \
	  '    "fetchNews": "false"' \
	  '  }' \
	  '}' > $@

# ---------------------------------------------------------------------------- use

lab: setup
	cd notebooks && ../$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
	  $(ALLOW_ROOT) $(LAB_ARGS) $(LAB_OPEN)

notebook: setup
	cd notebooks && ../$(VENV)/bin/jupyter notebook --ServerApp.ip=127.0.0.1 \
	  --ServerApp.port=$(LAB_PORT) $(ALLOW_ROOT) $(LAB_ARGS) $(if $(wildcard notebooks/00-index.ipynb),00-index.ipynb,)

# without NB= it stops before installing anything
slides: $(if $(NB),setup,slides-usage)
	$(VPY) -m mapletree_edu.slides $(NB)

slides-usage:
	@echo "usage: make slides NB=notebooks/05-node-splits.ipynb" >&2; exit 2

test: setup-test
	$(VPY) -m pytest -m '$(TEST_MARKERS)' $(PYTEST_ARGS)
ifneq ($(NOTEBOOKS),)
	$(VPY) -m pytest -p nbval --nbval --nbval-current-env \
	  --nbval-sanitize-with nbval-sanitize.cfg notebooks/
else
	@echo "no notebooks/*.ipynb yet: nbval step skipped"
endif

test-long: setup-test
	MAPLETREE_HYPOTHESIS_PROFILE=long $(VPY) -m pytest $(PYTEST_ARGS)

bench: setup-test
	@set -e; found=0; \
	for f in bench/bench_*.py; do \
	  [ -e "$$f" ] || continue; found=1; \
	  echo "== $$f"; $(VPY) "$$f"; \
	done; \
	[ "$$found" = 1 ] || echo "no bench/*.py scripts yet"

# NB= a subset, e.g. `make refresh-notebooks NB=notebooks/05-*.ipynb`
refresh-notebooks: setup-test
	$(VPY) tools/refresh_notebooks.py $(NB)

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis bench/out tests/browser/out
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
