# Set-up and the two main jobs. Every target creates the virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps demo test bench clean

$(BIN)/tierkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,spark]"
	touch $@

setup: $(BIN)/tierkit

# System packages the tests use: Java 17 for the local Spark session, a CJK font for Chinese
# chart labels. Installed only when missing (needs root, as on CI).
system-deps:
	@bash .ci/system-deps.sh

demo: setup system-deps
	$(BIN)/tierkit demo

test: setup system-deps
	$(BIN)/python -m pytest

bench: setup
	cd benchmarks && ../$(BIN)/python bench_features.py

clean:
	rm -rf $(VENV) tierkit-demo mlruns mlflow.db
