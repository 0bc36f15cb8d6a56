"""domainllm: the library behind the companion book's labs.

One folder per part of the book (cache, runtime, metrics, corpus, rag, graph, finetune, benchmark,
costs, cli), each re-exporting a short public API; the README's "What is where" maps them to the labs.
Notebooks import from here instead of defining reusable code themselves.
"""

__version__ = "0.1.0"
