"""Lab 4b: a pipeline made after switching corpora builds (and searches) that corpus's own index."""

from __future__ import annotations

import pytest

from domainllm.rag import recipes
from domainllm.rag.recipes import PIPELINES, make_recipe_retriever


def test_indexes_are_kept_per_corpus(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    built: list[str] = []

    def build_for_the_corpus_in_force(recipe):
        source = recipes.resolve_source()
        built.append(source.kind)
        return f"index of {source.kind} for {recipe.strategy}"

    monkeypatch.setattr(recipes, "build_index", build_for_the_corpus_in_force)
    monkeypatch.setattr(recipes, "make_retriever", lambda kind, index: index)
    recipe = PIPELINES["naive_rag"]
    indexes: dict = {}
    monkeypatch.delenv("DOMAINLLM_CORPUS", raising=False)
    assert make_recipe_retriever(recipe, indexes).startswith("index of generated")
    cuad = tmp_path / "CUAD.json"
    cuad.write_text('{"data": []}')
    monkeypatch.setenv("DOMAINLLM_CORPUS", f"cuad:{cuad}")
    assert make_recipe_retriever(recipe, indexes).startswith("index of cuad")
    assert make_recipe_retriever(recipe, indexes).startswith("index of cuad")  # built once, reused
    assert built == ["generated", "cuad"]
