# `make demo` and `make test` work on a fresh machine: they create .venv when it is missing.
VENV ?= .venv
PY := $(VENV)/bin/python
LONGDOC := $(VENV)/bin/longdoc
# CPU build of torch by default (sentence-transformers needs torch; the CUDA build is several GB).
# GPU users: make TORCH_SPEC=torch
TORCH_SPEC ?= torch==2.13.0
DEMO_INDEX ?= .demo-library
DEMO_QUESTION ?= What company did Mel work for, and which computer did he program?

.PHONY: setup demo test lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

demo: setup
	$(LONGDOC) ingest sample_docs --index $(DEMO_INDEX)
	$(LONGDOC) docs --index $(DEMO_INDEX)
	$(LONGDOC) ask "$(DEMO_QUESTION)" --pipeline rag --index $(DEMO_INDEX)
	$(LONGDOC) ask "$(DEMO_QUESTION)" --pipeline full --doc hacker_folklore.pdf --index $(DEMO_INDEX)
	$(LONGDOC) compare "$(DEMO_QUESTION)" --doc hacker_folklore.pdf --index $(DEMO_INDEX)

test: setup
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: setup
	$(PY) -m ruff check .

clean:
	rm -rf $(DEMO_INDEX) .pytest_cache
