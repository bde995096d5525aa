# Set-up and everyday commands. `make run` and `make test` work on a fresh clone.
VENV    := .venv
BIN     := $(VENV)/bin
CORPUS  ?= ../shared/corpus
LIBRARY ?= ../shared/library
STAMP   := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm

.PHONY: install llm run ingest test unit lint format bench-ingest fuzz bench-answer eval calibrate eval-map \
	eval-injection eval-probes bench-scale clean

$(STAMP): pyproject.toml scripts/install.sh
	bash scripts/install.sh
	touch $(STAMP)

install: $(STAMP)

# The local LLM (llama.cpp compiled portably, SmolLM2's weights) for the LLM mode and its
# tests. `make run` does not need it: its default answers are extractive.
$(LLM_STAMP): $(STAMP) scripts/install_llm.sh
	bash scripts/install_llm.sh
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)

# The default library: the sample corpus and the real NHS documents, one store.
ingest: install
	$(BIN)/nhsa ingest $(CORPUS)
	$(BIN)/nhsa ingest $(LIBRARY)

# `make run` serves on the settings' web.host and web.port (127.0.0.1:7860) unless
# HOST=... or PORT=... are given; the URL is printed once the model and store are loaded.
run: ingest
	$(BIN)/nhsa serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

# The local-LLM tests fail, never skip, when llama.cpp is missing (NHSA_REQUIRE_LOCAL_LLM).
test: install llm
	$(BIN)/ruff check .
	$(BIN)/mypy
	NHSA_REQUIRE_LOCAL_LLM=1 $(BIN)/pytest -q

# Pure functions only (no model, no Chroma, no servers): seconds.
unit: install
	$(BIN)/pytest -q tests/unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-ingest: install
	$(BIN)/python -m evals.tools.bench_ingest $(CORPUS)

# 500 generated, broken documents through the ingest path: exits 1 on a crash or a hang.
fuzz: install
	$(BIN)/python -m evals.tools.fuzz_ingest --files 500

# Quality on the dev set, assistant against the textbook LangChain pipeline, warm latency.
bench-answer: ingest
	$(BIN)/python -m evals.tools.bench_answer evals/datasets/dev.jsonl

# Issue 12: stores of 100, 1,000 and 10,000 generated documents plus the real ones (ingest,
# latency, cold start, re-ingest, quality, a Chroma server, 50 chat sessions at once); writes
# docs/benchmarks.md and docs/benchmark-latency.png. The 10,000 store takes hours on 2 CPUs;
# SIZES=100,1000 for a shorter run.
bench-scale: install
	$(BIN)/python -m evals.tools.bench_scale $(if $(SIZES),--sizes $(SIZES))

# The full dev set through the eval suite, both reports written under artifacts/.
eval: ingest
	mkdir -p artifacts
	$(BIN)/nhsa eval --questions evals/datasets/dev.jsonl --system both \
		--json artifacts/eval-dev.json --html artifacts/eval-dev.html

# The structure map of the default library against its hand-written key
# (evals/datasets/structure.jsonl): node and edge precision and recall, citation
# precision, and every edge the key does not judge, for a person to judge.
eval-map: ingest
	$(BIN)/python -m evals.structure_eval

# Re-derive the abstention thresholds by leave-one-document-out cross-validation over the
# dev and library sets; prints in-sample and held-out refusals side by side.
calibrate: ingest
	$(BIN)/python -m evals.tools.calibrate evals/datasets/dev.jsonl evals/datasets/library.jsonl
	$(BIN)/python -m evals.tools.cv_answer evals/datasets/dev.jsonl evals/datasets/library.jsonl \
		--grid similarity_weight=0.6,0.5,0.7 --grid max_sentences=8,6,10

# Documents carrying instructions to an AI (visible, hidden in HTML/DOCX, fake citations and
# system turns), asked in extractive and, with an LLM (NHSA_LLM__BASE_URL or `make llm`), LLM
# mode: prints how often injected text reaches an answer (target 0) per mode.
# The probe sets (evals/probes/README.md): fictional NHS documents in every format, with
# questions, written apart from the code. One store: the default library and the three sets.
PROBE_STORE ?= /tmp/nhsa-probes
eval-probes: install
	rm -rf $(PROBE_STORE)
	for folder in $(CORPUS) $(LIBRARY) evals/probes/set1 evals/probes/set2 evals/probes/set3; do \
		NHSA_STORE__DATA_DIR=$(PROBE_STORE) $(BIN)/nhsa ingest $$folder || exit 1; done
	mkdir -p artifacts
	for n in 1 2 3; do NHSA_STORE__DATA_DIR=$(PROBE_STORE) $(BIN)/nhsa eval \
		--questions evals/probes/set$$n.jsonl --system both \
		--json artifacts/probes-set$$n.json || exit 1; done

eval-injection: install
	mkdir -p artifacts
	$(BIN)/python -m evals.tools.injection_eval --json artifacts/eval-injection.json

clean:
	rm -rf data artifacts .pytest_cache
