"""Running the models on a CPU (lab 0 and the Performance chapter): load, generate, embed, cache."""

from __future__ import annotations

from domainllm.runtime.answer_cache import AnswerCache
from domainllm.runtime.embedding_cache import CachedEncoder, cached_embedder_encode, embedder_encode
from domainllm.runtime.environment import check_environment
from domainllm.runtime.generation import Completion, Generator
from domainllm.runtime.generation_cache import GenerationCache, cached_chat
from domainllm.runtime.models import load_embedder, load_generator, model_key

__all__ = [
    "load_generator",
    "load_embedder",
    "model_key",
    "Generator",
    "Completion",
    "cached_embedder_encode",
    "embedder_encode",
    "CachedEncoder",
    "GenerationCache",
    "cached_chat",
    "AnswerCache",
    "check_environment",
]
