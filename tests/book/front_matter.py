"""The front matter every narrative chapter carries, and a validator that names what is wrong.

A chapter starts with a YAML block::

    ---
    title: "Retrieval-augmented generation"
    date: "2024-08-25"
    keywords: [RAG, retrieval, chunking]
    lang: en
    translations: {sv: overview-sv, hi: overview-hi}
    ---

``title``, ``date`` (YYYY-MM-DD) and ``keywords`` (a non-empty list of strings) are required.
The build-time keyword index (``_ext/keyword_index.py``) reads the keywords from here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import frontmatter
import yaml

REQUIRED = ("title", "date", "keywords")
OPTIONAL = (
    "image",
    "lang",
    "translations",
    "author",
    "description",
    # keys that myst-nb, jupytext and myst-parser read themselves
    "jupytext",
    "kernelspec",
    "file_format",
    "html_meta",
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
SOURCE_SUFFIXES = (".md", ".ipynb")


class FrontMatterError(ValueError):
    """A chapter's front matter is missing a field or has a bad value; the message names file and field."""


def _fail(path: Path, field: str, problem: str) -> FrontMatterError:
    return FrontMatterError(f"{path}: front matter field '{field}' {problem}")


def load_front_matter(path: str | Path) -> dict[str, Any]:
    """Read the YAML front matter of ``path``; a file without any, or with broken YAML, raises."""
    path = Path(path)
    try:
        post = frontmatter.load(path, encoding="utf-8")
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"{path}: front matter is not valid YAML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise FrontMatterError(f"{path}: not valid UTF-8 text; re-save it as UTF-8") from exc
    if not post.metadata:
        raise FrontMatterError(
            f"{path}: no front matter; start the file with a '---' YAML block holding {', '.join(REQUIRED)}"
        )
    return dict(post.metadata)


def _check_date(path: Path, value: Any) -> None:
    if isinstance(value, dt.datetime):
        raise _fail(path, "date", f"must be a date YYYY-MM-DD without a time, got {value!r}")
    if isinstance(value, dt.date):
        return
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise _fail(path, "date", f"must be a date written YYYY-MM-DD, got {value!r}")
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(path, "date", f"is not a real calendar date: {value!r}") from exc


def _check_keywords(path: Path, value: Any) -> None:
    if not isinstance(value, list):
        raise _fail(path, "keywords", f"must be a YAML list of strings, got {type(value).__name__} {value!r}")
    if not value:
        raise _fail(path, "keywords", "is an empty list; give at least one keyword")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _fail(path, "keywords", f"must hold non-empty strings only, found {item!r}")


def _target_exists(folder: Path, target: str) -> bool:
    base = folder / target
    if base.suffix in SOURCE_SUFFIXES:
        return base.is_file()
    return any(base.with_name(base.name + suffix).is_file() for suffix in SOURCE_SUFFIXES)


def _check_translations(path: Path, value: Any) -> None:
    if not isinstance(value, Mapping) or not value:
        raise _fail(path, "translations", f"must be a mapping of language code to document, got {value!r}")
    for lang, target in value.items():
        if not isinstance(lang, str) or not LANG_RE.match(lang):
            raise _fail(path, "translations", f"has a key that is not a language code: {lang!r}")
        if not isinstance(target, str) or not target:
            raise _fail(path, "translations", f"entry {lang!r} must name a document, got {target!r}")
        if not _target_exists(path.parent, target):
            raise _fail(
                path,
                "translations",
                f"entry {lang!r} points to {target!r}, which does not exist next to this file",
            )


def validate_front_matter(path: str | Path) -> dict[str, Any]:
    """Check the front matter of one chapter and return it; raise FrontMatterError naming file and field."""
    path = Path(path)
    meta = load_front_matter(path)
    allowed = set(REQUIRED) | set(OPTIONAL)
    for key in meta:
        if key not in allowed:
            raise _fail(path, str(key), f"is unknown; allowed fields are {', '.join(sorted(allowed))}")
    for key in REQUIRED:
        if key not in meta or meta[key] is None:
            raise _fail(path, key, "is missing")
    if not isinstance(meta["title"], str) or not meta["title"].strip():
        raise _fail(path, "title", f"must be a non-empty string, got {meta['title']!r}")
    _check_date(path, meta["date"])
    _check_keywords(path, meta["keywords"])
    if "lang" in meta and (not isinstance(meta["lang"], str) or not LANG_RE.match(meta["lang"])):
        raise _fail(path, "lang", f"must be a language code such as 'en', 'sv' or 'hi', got {meta['lang']!r}")
    if "translations" in meta:
        _check_translations(path, meta["translations"])
    if "image" in meta:
        image = meta["image"]
        if not isinstance(image, str) or not image:
            raise _fail(path, "image", f"must be a path to an image file, got {image!r}")
        if not (path.parent / image).is_file():
            raise _fail(path, "image", f"points to {image!r}, which does not exist relative to this file")
    return meta


def chapter_files(root: str | Path) -> list[Path]:
    """All narrative chapters of the book at ``root``: ``chapters/*.md``, sorted by name."""
    return sorted(Path(root).joinpath("chapters").glob("*.md"))
