# `make app` runs the drawing window, `make test` runs the tests; both set up
# .venv first. PYTHON may name another interpreter (3.10+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: app serve test test-fast lint bench evaluate clean

# constraints.txt: these machines' local torch build (the package itself asks for a range).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

app: $(STAMP)
	$(BIN)/numrec app

serve: $(STAMP)
	$(BIN)/numrec serve

evaluate: $(STAMP)
	$(BIN)/numrec evaluate --data-dir ../shared/data/mnist

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not gui and not browser"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python tools/sizes.py src tests bench tools

clean:
	rm -rf $(VENV) build dist src/*.egg-info
