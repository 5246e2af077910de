# make test: set up .venv, install openrec with its test and docs extras, run the whole
# suite in both graph modes (TF2-behaviour graphs, then tf.compat.v1.disable_v2_behavior())
# and build the docs warning-free. make demo: same set-up, then train a small model.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
# test processes (pytest-xdist): the suite runs in each graph mode in about half the time
TEST_WORKERS ?= 2

.PHONY: test demo docs venv clean

venv: $(STAMP)

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test,docs]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) tests
	OPENREC_TEST_GRAPH_MODE=v1 $(PY) -m pytest -q -n $(TEST_WORKERS) tests
	$(MAKE) docs

docs: $(STAMP)
	rm -rf docs/_build
	$(PY) -m sphinx -W --keep-going -b html -q docs docs/_build/html
	$(PY) tools/check_doc_signatures.py docs/_build/html

demo: $(STAMP)
	$(PY) -m openrec.demo

clean:
	rm -rf $(VENV) docs/_build .pytest_cache
