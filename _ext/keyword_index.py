"""Sphinx extension: a keyword index built from the chapters' front matter at build time.

Usage in a MyST page::

    ```{keyword-index}
    :pattern: chapters/*.md
    ```

For every keyword found in the ``keywords`` lists of the matching files (compared without
regard to case), the directive emits the keyword and links to the pages carrying it. The
links are ``doc`` cross-references, so a page that is not part of the build breaks a ``-W``
build instead of leaving a dead link. The page holding the directive depends on every file
it read, so editing a chapter's keywords rebuilds the index.

Register it in ``_config.yml``::

    sphinx:
      local_extensions:
        keyword_index: _ext
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

DEFAULT_PATTERN = "chapters/*.md"


@dataclass
class KeywordEntry:
    """One keyword as displayed, with the pages (docname, title) that carry it."""

    keyword: str
    pages: list[tuple[str, str]] = field(default_factory=list)


def sort_key(text: str) -> tuple[str, str]:
    """A locale-independent sort key: accents folded, case folded, original text as tie-breaker."""
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ord(ch) >= 0x0900)
    return (unicodedata.normalize("NFC", base).casefold(), text)


def fold(keyword: str) -> str:
    """The identity of a keyword: NFC-normalized, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", keyword).casefold().split())


def group_by_keyword(pages: Mapping[str, Mapping[str, Any]]) -> list[KeywordEntry]:
    """Group pages by keyword.

    ``pages`` maps a docname to its front matter (``title`` and ``keywords``). Keywords that
    differ only in case are one entry, shown in the spelling that occurs most often (ties: the
    first in sorted docname order). Entries are sorted with :func:`sort_key`; pages within an
    entry by title, then docname. A page lists a keyword once even if it repeats it.
    """
    spellings: dict[str, dict[str, int]] = {}
    members: dict[str, dict[str, str]] = {}
    for docname in sorted(pages):
        meta = pages[docname]
        keywords = meta.get("keywords") or []
        if isinstance(keywords, str):
            keywords = [keywords]
        title = str(meta.get("title") or docname)
        for raw in keywords:
            if not isinstance(raw, str) or not raw.strip():
                continue
            shown = " ".join(unicodedata.normalize("NFC", raw).split())
            key = fold(shown)
            counts = spellings.setdefault(key, {})
            counts[shown] = counts.get(shown, 0) + 1
            members.setdefault(key, {})[docname] = title
    entries = []
    for key, counts in spellings.items():
        shown = max(counts, key=lambda s: counts[s])  # max keeps the first of equal counts
        ordered = sorted(members[key].items(), key=lambda item: (sort_key(item[1]), item[0]))
        entries.append(KeywordEntry(shown, ordered))
    entries.sort(key=lambda entry: sort_key(entry.keyword))
    return entries


def read_pages(srcdir: str | Path, paths: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """Read the front matter of ``paths`` into ``{docname: metadata}``; docnames are relative to srcdir."""
    srcdir = Path(srcdir)
    pages: dict[str, dict[str, Any]] = {}
    for path in paths:
        docname = path.resolve().relative_to(srcdir.resolve()).with_suffix("").as_posix()
        pages[docname] = dict(frontmatter.load(path, encoding="utf-8").metadata)
    return pages


class KeywordIndexDirective(SphinxDirective):
    """``keyword-index``: a list of keywords, each with links to the pages that carry it."""

    has_content = False
    option_spec = {"pattern": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        env = self.env
        pattern = self.options.get("pattern", DEFAULT_PATTERN)
        srcdir = Path(env.srcdir)
        paths = sorted(srcdir.glob(pattern))
        here = env.docname
        paths = [p for p in paths if self._docname(p) != here and self._docname(p) in env.found_docs]
        for path in paths:
            env.note_dependency(str(path))
        _register_index_page(env, here, pattern)

        entries = group_by_keyword(read_pages(srcdir, paths))
        if not entries:
            logger.warning("keyword-index: no keywords found in %s", pattern, location=self.get_location())
            return []
        listing = nodes.bullet_list(classes=["keyword-index"])
        for entry in entries:
            para = nodes.paragraph()
            para += nodes.strong(text=entry.keyword)
            para += nodes.Text(": ")
            for i, (docname, title) in enumerate(entry.pages):
                if i:
                    para += nodes.Text(", ")
                ref = addnodes.pending_xref(
                    "",
                    refdomain="std",
                    reftype="doc",
                    reftarget="/" + docname,
                    refdoc=here,
                    refexplicit=True,
                    refwarn=True,
                )
                ref += nodes.inline(title, title, classes=["xref", "std", "std-doc"])
                para += ref
            listing += nodes.list_item("", para)
        return [listing]

    def _docname(self, path: Path) -> str:
        return path.relative_to(self.env.srcdir).with_suffix("").as_posix()


def _register_index_page(env: BuildEnvironment, docname: str, pattern: str) -> None:
    store: dict[str, set[str]] = getattr(env, "keyword_index_pages", {})
    store.setdefault(docname, set()).add(pattern)
    env.keyword_index_pages = store  # type: ignore[attr-defined]


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "keyword_index_pages", {}).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    store = getattr(env, "keyword_index_pages", {})
    store.update(getattr(other, "keyword_index_pages", {}))
    env.keyword_index_pages = store  # type: ignore[attr-defined]


def _outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read an index page when a file matching its pattern was added or removed."""
    touched = added | removed
    rebuild = []
    for docname, patterns in getattr(env, "keyword_index_pages", {}).items():
        for pattern in patterns:
            stem = pattern.rsplit(".", 1)[0]
            if any(Path(doc).match(stem) for doc in touched):
                rebuild.append(docname)
                break
    return rebuild


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive and the hooks that keep the index page current."""
    app.add_directive("keyword-index", KeywordIndexDirective)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
