"""Lab 3 (retrieval) past one machine: where the vector store lives, and whether a Milvus server can serve it.

``DOMAINLLM_MILVUS_URI`` (``http://localhost:19530`` for the standalone server that
``deploy/milvus/docker-compose.yml`` starts) sends every index the labs build to that server
instead of a private Milvus Lite database; ``DOMAINLLM_MILVUS_TOKEN`` carries credentials
(``user:password`` or an API key) when the server asks for them. Unset, nothing changes.

The book's indexes need BM25 full-text search (a BM25 function computing sparse vectors from a
text field, Milvus 2.5.0 and later) and hybrid search with rank fusion (2.4.0 and later), so a
server older than :data:`MIN_SERVER_VERSION` is refused with a message saying what to do.
"""

from __future__ import annotations

import os
import re
import secrets
from typing import Any

MIN_SERVER_VERSION = (2, 5, 0)
URI_VARIABLE = "DOMAINLLM_MILVUS_URI"
TOKEN_VARIABLE = "DOMAINLLM_MILVUS_TOKEN"
COMPOSE_FILE = "deploy/milvus/docker-compose.yml"


class MilvusServerError(RuntimeError):
    """The Milvus server cannot be reached, or cannot run what the book needs."""


def server_uri() -> str | None:
    """The Milvus server the environment names (``DOMAINLLM_MILVUS_URI``), or None for Milvus Lite."""
    uri = os.environ.get(URI_VARIABLE, "").strip()
    if not uri:
        return None
    if not re.match(r"^(https?|tcp|grpc)://[^\s/]+", uri):
        raise MilvusServerError(
            f"{URI_VARIABLE}={uri!r} is not a server address: use one like http://localhost:19530, "
            f"or unset {URI_VARIABLE} to use Milvus Lite in this process."
        )
    return uri


def server_token() -> str:
    """Credentials for the server (``DOMAINLLM_MILVUS_TOKEN``), empty when none are needed."""
    return os.environ.get(TOKEN_VARIABLE, "").strip()


def parse_version(text: str) -> tuple[int, int, int]:
    """``(major, minor, patch)`` of a Milvus version string such as ``v2.5.4`` or ``2.6.0-rc1``."""
    found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not found:
        raise MilvusServerError(f"Could not read the Milvus server's version from {text!r}.")
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch or 0)


def check_server_version(version: str, uri: str) -> tuple[int, int, int]:
    """Raise :class:`MilvusServerError` when ``version`` predates BM25 full-text search."""
    parsed = parse_version(version)
    if parsed < MIN_SERVER_VERSION:
        needed = ".".join(map(str, MIN_SERVER_VERSION))
        raise MilvusServerError(
            f"The Milvus server at {uri} runs {version}; the book's indexes need BM25 full-text search "
            f"and hybrid search, which Milvus {needed} and later provide. Start a newer one "
            f"(docker compose -f {COMPOSE_FILE} up -d) or unset {URI_VARIABLE} to use Milvus Lite."
        )
    return parsed


def connect(uri: str) -> Any:
    """A ``MilvusClient`` for ``uri``; for a server, checked to be reachable and new enough."""
    from pymilvus import MilvusClient, MilvusException

    if uri.endswith(".db"):
        return MilvusClient(uri)
    try:
        client = MilvusClient(uri, token=server_token(), timeout=10)
        version = client.get_server_version()
    except MilvusException as exc:
        raise MilvusServerError(
            f"Could not reach a Milvus server at {uri}: {exc.message}. Start one "
            f"(docker compose -f {COMPOSE_FILE} up -d), check the address, or unset {URI_VARIABLE} "
            "to use Milvus Lite."
        ) from exc
    try:
        check_server_version(version, uri)
    except MilvusServerError:
        client.close()
        raise
    return client


def private_collection_name(prefix: str = "chunks") -> str:
    """A collection name no other process uses, for an index this process creates and drops."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
