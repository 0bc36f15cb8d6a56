"""Data card: the generated contract portfolio: facts, phrasings, rendering, gold questions and checks.

Entry points: :func:`domainllm.corpus.portfolio.generate.generate_portfolio` writes ``corpus/``,
``facts.jsonl`` and ``qa/`` for one seeded run; :func:`domainllm.corpus.portfolio.checks.check_corpus`
validates a folder that holds them.
"""
