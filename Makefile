# eks-platform: the two commands a newcomer needs are `make synth` and `make test`.
# Both create the virtualenv (.venv) and install requirements.txt first when needed.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STACK  ?= dev
STACKS := dev staging prod
# Where `make synth` writes the JSON record (empty: no JSON).
SYNTH_JSON ?=

.PHONY: venv synth test lint typecheck unit snapshots docs bench clean

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## venv: create .venv and install requirements.txt (skipped when up to date)
venv: $(VENV)/.installed

## synth: render a stack offline (STACK=dev|staging|prod, SYNTH_JSON=path to also write JSON)
synth: venv
	$(PY) -m components.synth --stack $(STACK) $(if $(SYNTH_JSON),--json $(SYNTH_JSON))

## test: lint, type-check and run the test suite
test: lint typecheck unit

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy components stacks tests scripts __main__.py

unit: venv
	$(PY) -m pytest -n 2

## snapshots: refresh tests/snapshots/<stack>.json on purpose after a reviewed change
snapshots: venv
	for s in $(STACKS); do $(PY) -m components.synth --stack $$s --json tests/snapshots/$$s.json > /dev/null || exit 1; done
	@echo "snapshots refreshed: review 'git diff tests/snapshots' before committing"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache build dist *.egg-info synth-out

## bench: speed and scale of the offline synth (numbers, not pass/fail)
bench: venv
	$(PY) -m scripts.benchmark
