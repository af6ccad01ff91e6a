# xuncha — one place for the developer loop.
PY ?= python
SAMPLES := evals/notices/*.txt

.PHONY: install test lint types contracts check record structure structure-rules schema bench

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

# Re-record the cassettes from the real embedded server (starts it; ~5 minutes on 2 cores).
record:
	rm -rf cassettes/test_pipeline_replay cassettes/test_cli_replay cassettes/test_injection
	$(PY) -m pytest -q tests/test_pipeline_replay.py tests/test_cli_replay.py tests/test_injection.py --record-mode=all

structure:
	xuncha structure $(SAMPLES) -o out/samples.jsonl

structure-rules:
	xuncha structure $(SAMPLES) -o out/samples-rules.jsonl --no-llm

schema:
	xuncha schema schemas

bench:
	$(PY) bench/run.py
