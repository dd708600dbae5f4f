# eks-platform: the two commands a newcomer needs are `make synth` and `make test`.
# Both create the virtualenv (.venv) and install requirements.lock (exact versions, with
# hashes: what CI and the deploy jobs install) first when needed. requirements.txt keeps the
# ranges; `make lock` resolves them again.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STACK  ?= dev
STACKS := dev staging prod
# Where `make synth` writes the JSON record (empty: no JSON).
SYNTH_JSON ?=
# The policy pack `make synth` evaluates (empty: none; docs/policy-pack.md), and its config
# (default: policy-pack/config/<stack>.json when there is one).
POLICY_PACK ?= policy-pack
POLICY_CONFIG ?= $(wildcard $(POLICY_PACK)/config/$(STACK).json)

.PHONY: venv synth test lint typecheck unit snapshots docs bench lock clean

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

## venv: create .venv and install requirements.lock (skipped when up to date)
venv: $(VENV)/.installed

## lock: resolve requirements.txt again into requirements.lock (exact versions and hashes)
lock: venv
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip compile requirements.txt --generate-hashes --universal --python-version 3.10 --quiet -o requirements.lock
	@echo "requirements.lock refreshed: review 'git diff requirements.lock' before committing"

## synth: render a stack offline and check it with the policy pack (STACK=dev|staging|prod, SYNTH_JSON=path to also write JSON, POLICY_PACK= to skip the pack)
synth: venv
	$(PY) -m components.synth --stack $(STACK) $(if $(SYNTH_JSON),--json $(SYNTH_JSON)) $(if $(POLICY_PACK),--policy-pack $(POLICY_PACK) $(if $(POLICY_CONFIG),--policy-config $(POLICY_CONFIG)))

## test: lint, type-check and run the test suite
test: lint typecheck unit

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy components stacks tests scripts __main__.py
	$(VENV)/bin/mypy policy-pack

# Two workers that steal each other's queued tests (none waits idle at the end). Python may
# cache bytecode even where the environment says not to (PYTHONDONTWRITEBYTECODE): otherwise
# every worker and every child process compiles the library, the tests and their imports again.
unit: venv
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -n 2 --dist worksteal

## snapshots: refresh tests/snapshots/<stack>.json on purpose after a reviewed change
snapshots: venv
	for s in $(STACKS); do $(PY) -m components.synth --stack $$s --json tests/snapshots/$$s.json > /dev/null || exit 1; done
	@echo "snapshots refreshed: review 'git diff tests/snapshots' before committing"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache build dist *.egg-info synth-out

## bench: speed and scale of the offline synth (numbers, not pass/fail)
bench: venv
	$(PY) -m scripts.benchmark

## docs: regenerate the configuration reference (docs/configuration.md) from the Args dataclasses
docs: venv
	$(PY) -m scripts.update_docs
