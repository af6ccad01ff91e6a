# xuncha — one place for the developer loop.
PY ?= python
SAMPLES := evals/notices/*.txt

.PHONY: install test lint types contracts check record structure structure-rules schema bench models rules snapshot

install:
	$(PY) -m pip install -e '.[local,test]'

lint:
	ruff check agent tests evals bench

types:
	mypy agent

contracts:
	lint-imports

test:
	bash tools/ensure-browser.sh
	$(PY) -m pytest -q

check: lint types contracts test

# Re-record the cassettes from the real embedded server (starts it; ~10 minutes on 2 cores): the pipeline,
# CLI and injection tests, and the live eval of gold v2 (the news notices) whose cassettes gate CI's replay.
record:
	rm -rf cassettes/test_pipeline_replay cassettes/test_cli_replay cassettes/test_injection cassettes/eval_v2
	$(PY) -m pytest -q tests/test_pipeline_replay.py tests/test_cli_replay.py tests/test_injection.py --record-mode=all
	rm -rf evals/reports/record-v2
	xuncha eval --gold evals/gold/v2 --ask category --no-cache --out evals/reports/record-v2
	mkdir -p cassettes/eval_v2 && (cp evals/reports/record-v2/cassettes/*.yaml cassettes/eval_v2/ 2>/dev/null || true)

structure:
	xuncha structure $(SAMPLES) -o out/samples.jsonl --ask category

structure-rules:
	xuncha structure $(SAMPLES) -o out/samples-rules.jsonl --no-llm

schema:
	xuncha schema schemas

bench:
	$(PY) bench/run.py

# Retrain the learned detectors (clauses, category) from every gold set whose first sight is logged.
models:
	xuncha train

# The fast loop: the rules' tests and every gold set gated, in seconds.
rules:
	$(PY) -m pytest -q tests/test_vocab.py tests/test_view.py tests/test_findings.py tests/test_gates.py tests/test_snapshot.py

# Renew the rules-only snapshot of every eval notice (evals/snapshot.jsonl) after a change that moves records on
# purpose; `python evals/snapshot.py` alone names the records a change moves.
snapshot:
	$(PY) evals/snapshot.py --renew
