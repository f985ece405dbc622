# sendready: `make help` lists the targets.
#
# Everything runs through the project's own virtual environment ($(VENV)), created on first
# use, so nothing depends on an activated environment or on what is installed globally.

PYTHON ?= python3
VENV ?= .venv
PROFILE ?= bury-2017-wsoa
# The sample spans 2016-2026; the 2017 profile's story is judged at the quarter before the
# May 2019 re-visit. Any other profile runs on the data's latest quarter unless PERIOD_END
# names one (PERIOD_END=2025-12-31, or a range such as 2024-06-30..2025-12-31).
ifeq ($(PROFILE),bury-2017-wsoa)
PERIOD_END ?= 2019-03-31
endif
SAMPLE_DIR := data/sample

BIN := $(VENV)/bin
SENDREADY := $(BIN)/sendready
# Stamps inside the environment, so that deleting .venv also forgets what was installed.
INSTALLED := $(VENV)/.sendready-installed
KERNEL := $(VENV)/.sendready-kernel

# JupyterLab refuses to start as root without being told to; never pass it otherwise.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.DEFAULT_GOAL := help
.PHONY: help setup reports sample test test-fast lab lint bench clean distclean

help: ## list the targets and what each one does
	@echo "Usage: make TARGET [PROFILE=profile-id] [PYTHON=python3.x]"
	@echo
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z][a-z0-9_-]*:[^=]*## / {printf "  %-10s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)

setup: $(INSTALLED) $(KERNEL) ## create .venv, install sendready into it and register its Jupyter kernel

# The main job. Only the recipe line changes when the batch command arrives.
reports: setup $(SAMPLE_DIR)/extract.json ## set up if needed, then run the main job on the sample area
	$(SENDREADY) run --profile $(PROFILE)$(if $(PERIOD_END), --period-end $(PERIOD_END))

sample: setup ## write the synthetic sample area to data/sample
	$(SENDREADY) sample --out $(SAMPLE_DIR)

test: setup ## run the whole test suite (unit, integration and browser tests)
	$(BIN)/python -m pytest -q

test-fast: setup ## run the unit tests only (tests/unit/): the quick loop while you work
	$(BIN)/python -m pytest -q -m unit -n 2

lab: setup ## open the notebooks in JupyterLab, reachable from this machine only
	$(BIN)/jupyter lab notebooks/ --ip=localhost $(ALLOW_ROOT)

# The same hooks as at commit time (.pre-commit-config.yaml), on every file in git.
lint: setup ## run the pre-commit checks on all files: ruff, format, notebook outputs, sizes, secrets
	$(BIN)/pre-commit run --all-files

bench: setup ## time every stage at scales 1 and 10; writes outputs/bench/bench.md
	$(BIN)/python -m sendready.dev.bench

clean: ## delete everything in outputs/ but its README, and data/sample/ (keeps .venv)
	@# outputs/README.md is committed; the folder goes too when nothing else is left in it.
	if [ -d outputs ]; then \
		find outputs -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf -- {} +; \
		rmdir outputs 2>/dev/null || true; \
	fi
	rm -rf $(SAMPLE_DIR)/

distclean: clean ## as clean, and delete .venv too
	rm -rf -- "$(VENV)"

# --- files the targets above depend on ------------------------------------------------

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "make: cannot find '$(PYTHON)'. sendready needs Python 3.11 or later:" \
			"install it, or name one with e.g. 'make PYTHON=python3.12 ...'." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "make: sendready needs Python 3.11 or later, but '$(PYTHON)' is" \
			"$$($(PYTHON) --version 2>&1). Install a newer Python, or name one with" \
			"e.g. 'make PYTHON=python3.12 ...'." >&2; exit 1; }
	@echo "Creating the virtual environment $(VENV) with $$($(PYTHON) --version 2>&1)"
	@# A failed venv (e.g. Debian without python3-venv) must not look like a finished one.
	@$(PYTHON) -m venv "$(VENV)" || { rm -rf -- "$(VENV)"; \
		echo "make: could not create $(VENV). On Debian or Ubuntu install the" \
			"python3-venv package, then try again." >&2; exit 1; }

# Reinstall only when the dependency list may have changed.
$(INSTALLED): pyproject.toml | $(BIN)/python
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "make: $(VENV) was made with an old Python; run 'make distclean setup'." >&2; \
		exit 1; }
	@echo "Installing sendready and its dependencies into $(VENV) (a minute or two the first time)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch "$@"

$(KERNEL): $(INSTALLED)
	$(SENDREADY) kernel
	@touch "$@"

# Generated on first use only; `make sample` regenerates it on request.
$(SAMPLE_DIR)/extract.json: | $(INSTALLED)
	$(SENDREADY) sample --out $(SAMPLE_DIR)
