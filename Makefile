# One-command setup on a machine with Python 3.11 and pip.
PY := $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1

.PHONY: setup run test lint clean

setup: $(VENV)/.installed

# torch first, pinned: on these machines 2.13.0 is a local CPU build, while an unpinned torch
# (pulled in by sentence-transformers) would download a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[test]'
	touch $@

# The tests also cover the optional scale-out extras (Ray).
$(VENV)/.scale: $(VENV)/.installed
	$(BIN)/pip install -e '.[test,scale]'
	touch $@

run: setup
	$(BIN)/python app.py

test: setup $(VENV)/.scale lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check qa tests $(wildcard app.py benchmarks)

clean:
	rm -rf $(VENV) index/default index/eval
