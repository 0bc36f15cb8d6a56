"""Lab 0 (set-up) and the data card: documents of the corpus and where the corpus comes from.

``load_corpus()`` reads the generated contract portfolio in ``data/corpus`` by default. The
environment variable ``DOMAINLLM_CORPUS`` switches every lab at once: ``generated`` (the default),
``cuad:/path/to/CUAD_v1.json`` (the real CUAD v1 dataset) or a folder written by
``python -m domainllm corpus generate --out DIR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from domainllm.corpus.cuad import load_cuad
from domainllm.corpus.records import Document
from domainllm.files import DataFileError, read_text_utf8
from domainllm.paths import DATA_DIR

CORPUS_ENV_VAR = "DOMAINLLM_CORPUS"
REQUIRED_FIELDS = ("id", "title", "type", "parties", "effective_date")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class CorpusSource:
    """A resolved corpus setting: ``kind`` is ``generated`` (``path`` = the data folder) or ``cuad``."""

    kind: str
    path: Path

    @property
    def corpus_dir(self) -> Path:
        """The folder of ``*.md`` contracts (generated corpora only)."""
        return self.path / "corpus"


def resolve_source(source: str | Path | None = None) -> CorpusSource:
    """Turn ``source`` (or ``$DOMAINLLM_CORPUS``, or the default) into a :class:`CorpusSource`.

    A folder may be the data folder (holding ``corpus/`` and ``qa/``) or the ``corpus/`` folder itself.
    """
    if source is None:
        source = os.environ.get(CORPUS_ENV_VAR) or "generated"
    text = str(source)
    if text == "generated":
        return CorpusSource("generated", DATA_DIR)
    if text.startswith("cuad:"):
        path = Path(text.removeprefix("cuad:")).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"CUAD file {path} not found. Download CUAD_v1.json (Zenodo record 4595826) and set "
                f"{CORPUS_ENV_VAR}=cuad:/path/to/CUAD_v1.json"
            )
        return CorpusSource("cuad", path)
    path = Path(text).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(
            f"Corpus folder {path} not found ({CORPUS_ENV_VAR} or source={text!r}). Use 'generated', "
            "'cuad:/path/to/CUAD_v1.json' or a folder written by 'python -m domainllm corpus generate'."
        )
    if not (path / "corpus").is_dir() and any(path.glob("*.md")):
        path = path.parent
    return CorpusSource("generated", path)


def split_front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], str]:
    """Split ``---``-delimited YAML front matter from the body; errors name the file."""
    if not text.startswith("---\n"):
        raise DataFileError(f"{path}: no front matter (the file must start with a '---' line).")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise DataFileError(f"{path}: front matter is not closed by a '---' line.")
    try:
        fields = yaml.load(text[4 : end + 1], Loader=_Loader)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: front matter is not valid YAML ({exc}).") from exc
    if not isinstance(fields, dict):
        raise DataFileError(f"{path}: front matter is not a mapping of field names to values.")
    return fields, text[end + 5 :]


def parse_document(path: str | Path) -> Document:
    """Read one markdown contract with front matter; a missing field raises DataFileError naming it."""
    path = Path(path)
    fields, body = split_front_matter(read_text_utf8(path), path)
    missing = [name for name in REQUIRED_FIELDS if fields.get(name) in (None, "")]
    if missing:
        raise DataFileError(f"{path}: front matter lacks required field(s): {', '.join(missing)}.")
    parties = fields["parties"]
    if isinstance(parties, str) or not isinstance(parties, list):
        raise DataFileError(f"{path}: front-matter field 'parties' must be a list of names.")
    extra = {key: value for key, value in fields.items() if key not in REQUIRED_FIELDS}
    return Document(
        id=str(fields["id"]),
        title=str(fields["title"]),
        type=str(fields["type"]),
        parties=tuple(str(party) for party in parties),
        effective_date=str(fields["effective_date"]),
        text=body,
        metadata=MappingProxyType(extra),
    )


def load_corpus(source: str | Path | None = None) -> list[Document]:
    """All documents of the chosen corpus, sorted by id (see the module docstring for ``source``)."""
    resolved = resolve_source(source)
    if resolved.kind == "cuad":
        return list(load_cuad(resolved.path).documents)
    folder = resolved.corpus_dir
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise FileNotFoundError(f"No contracts (*.md) in {folder}.")
    return sorted((parse_document(path) for path in paths), key=lambda doc: doc.id)
