# Set-up and the two main jobs. Every target creates the virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup system-deps demo lint docs test bench constraints clean

# constraints.txt pins every package to the versions the suite was last run with, so a fresh
# machine installs what CI tested; refresh it with `make constraints` after changing dependencies.
$(BIN)/tierkit: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,spark,docs]"
	touch $@

setup: $(BIN)/tierkit

# System packages the tests use: Java 17 for the local Spark session, a CJK font for the Chinese
# HTML the browser tests render, headless Chromium for the report tests. Installed only when missing (needs
# root, as on CI).
system-deps:
	@bash .ci/system-deps.sh

# The demo needs no Java, no root, no browser and no system font (the Chinese charts' font ships
# inside tierkit).
demo: setup
	$(BIN)/tierkit demo

# ruff (rules and exceptions in pyproject.toml's [tool.ruff]) and the import contract: the layers of
# the pipeline, no import running back up it ([tool.importlinter]); `make test` runs both first.
lint: setup
	$(BIN)/ruff check src tests benchmarks docs
	$(BIN)/lint-imports --no-cache --no-logo

# The documentation (docs/): the HTML site into docs/_build/html, then every example of its pages
# run by Sphinx's doctest builder; a warning (a docstring Sphinx cannot read, a broken link) or a
# failing example stops the build. Both ignored by git, like the API pages generated in docs/api/.
docs: setup
	$(BIN)/sphinx-build -W --keep-going -q -b html -d docs/_build/doctrees docs docs/_build/html
	$(BIN)/sphinx-build -W --keep-going -q -b doctest -d docs/_build/doctrees docs docs/_build/doctest

test: lint docs setup system-deps
	$(BIN)/python -m pytest -n auto

bench: setup
	cd benchmarks && for b in bench_*.py; do echo "== $$b"; PATH="$(abspath $(BIN)):$$PATH" ../$(BIN)/python $$b || exit 1; done

constraints:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) tierkit-demo mlruns mlflow.db docs/_build docs/api/generated
