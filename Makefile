# embedcourse: two commands for a fresh machine
#   make book   -> builds the HTML book (executes every notebook), prints where it is
#   make test   -> unit + oracle tests, every notebook once under nbval, the -W book build (no re-execution)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# plotly: "notebook" inlines plotly.js in an HTML output, so figures draw in the static book with
# no network (its JSON mimetype alone is dropped by the book with a warning). Readers running
# Jupyter without this variable get plotly's own default renderer.
export PLOTLY_RENDERER ?= notebook
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install book test test-fast test-portable test-unit test-notebooks lint measure determinism clean

# torch 2.13.0 must be the CPU build. Where pip already finds it (a local wheel, a mirror), nothing
# more is needed; on a machine whose pip would take torch from PyPI (the CUDA build and ~18
# nvidia packages), name PyTorch's CPU wheel index: make install TORCH_INDEX=<url> (README).
TORCH_INDEX ?=
TORCH_FROM := $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX),)

$(STAMP): requirements.txt constraints.txt requirements-data.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip -c constraints.txt -q
	$(PY) -m pip install torch==2.13.0 -c constraints.txt $(TORCH_FROM)
	$(PY) -m pip install -r requirements.txt -c constraints.txt
	$(PY) -m pip install --no-deps -r requirements-data.txt -c constraints.txt
	$(PY) -m pip install --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going
	@echo "The book is at: file://$(CURDIR)/_build/html/index.html"

# One pytest run: unit and oracle tests, every notebook once under nbval (--nbval-lax: the
# notebooks' own asserts carry correctness), and the -W book build (tests/test_book.py).
test: $(STAMP)
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-cell-timeout=900 -n 2 --dist loadfile -p no:cacheprovider -rfEs --durations=20

# The portability run: the same tests and notebooks under a second numeric environment that
# differs the way readers' machines differ. numpy's SIMD dispatch is cut to its x86-64-v2
# baseline (no AVX2/AVX-512 loops), torch's to its default kernels, numba compiles for a
# generic x86-64 CPU, BLAS/OpenMP/numba use one thread instead of two, and str hashing gets
# another seed. OPENBLAS_CORETYPE is left alone: forcing a kernel the CPU lacks crashes it, and
# some machines set it themselves to avoid broken kernels. Every asserted figure must hold in both.
PORTABLE_ENV := NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR" \
	ATEN_CPU_CAPABILITY=default NUMBA_CPU_NAME=generic \
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 \
	PYTHONHASHSEED=20261129
test-portable: $(STAMP)
	$(PORTABLE_ENV) $(PY) tools/numeric_env.py
	$(PORTABLE_ENV) $(PY) -m pytest tests notebooks --deselect tests/test_book.py::test_book_builds_with_warnings_as_errors --nbval-lax --nbval-cell-timeout=900 -n 2 --dist loadfile -p no:cacheprovider -rfEs --durations=10

# The unit tests without the slow ones (no real models or corpora, no notebooks): under a minute.
test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not slow" -n 2 -q -p no:cacheprovider

# Linter (ruff) and type checker (mypy, on embedcourse/), both configured in pyproject.toml.
lint: $(STAMP)
	$(VENV)/bin/ruff check embedcourse tests tools benchmarks
	$(VENV)/bin/mypy

# Run each chapter twice in fresh kernels and compare every number it prints.
determinism: $(STAMP)
	$(PY) tools/check_determinism.py

test-unit: $(STAMP)
	$(PY) -m pytest tests -n 2 -q

test-notebooks: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile --nbval-lax notebooks -q

# Wall time and peak memory of each chapter with an empty cache (the budgets in the issues).
measure: $(STAMP)
	$(PY) tools/measure_notebook.py --cold notebooks/[0-9][0-9]_*.ipynb --json _build/budgets.json

clean:
	rm -rf _build .pytest_cache
