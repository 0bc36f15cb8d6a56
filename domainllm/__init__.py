"""domainllm: the library behind the companion book's labs.

Each module holds one concept (models, chunking, retrieval, metrics, costs, ...).
Notebooks import from here instead of defining reusable code themselves.
"""

__version__ = "0.1.0"
