"""Checks that the Swedish and Hindi overviews of the "Overview" chapter render the whole English page.

``chapters/overview-sv.md`` and ``chapters/overview-hi.md`` translate ``chapters/overview.md``. The
prose differs, but the structure must not: each translation is compared with the English page for
its heading levels (in order), its ``{lab}`` and ``{doc}`` targets, its citation keys, its http(s)
URLs, its ``{glue}`` keys, its glossary terms, its MyST directives and its table rows. The links
between the three language versions themselves are left out of the ``{doc}`` comparison, since each
page links to the other two. Every failure names the file and what is missing or extra.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
ENGLISH = CHAPTERS / "overview.md"
TRANSLATIONS = {"sv": CHAPTERS / "overview-sv.md", "hi": CHAPTERS / "overview-hi.md"}
LANGUAGE_VERSIONS = frozenset({"overview", "overview-sv", "overview-hi"})

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
CODE_BLOCK = re.compile(r"^(`{3,}|~{3,})(?!\{).*?^\1[ \t]*$", re.S | re.M)
HEADING = re.compile(r"^(#{1,6})[ \t]+\S", re.M)
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
URL = re.compile(r"https?://[^\s<>()\[\]`'\"]+")
DIRECTIVE = re.compile(r"^[ \t]*(?::{3,}|`{3,})\{([\w:.-]+)\}", re.M)
GLUE = r"glue(?::[a-z]+)?"  # {glue}, {glue:text}, {glue:md}, ...
TABLE_DELIMITER = re.compile(r"\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?")

PARAMS = pytest.mark.parametrize("path", list(TRANSLATIONS.values()), ids=list(TRANSLATIONS))


@functools.cache
def body(path: Path) -> str:
    """The page's markdown without its YAML front matter and without plain code blocks."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return CODE_BLOCK.sub("", FRONT_MATTER.sub("", text, count=1))


def heading_levels(path: Path) -> list[int]:
    """Levels of the page's headings in document order: ``# A`` then ``## B`` gives ``[1, 2]``."""
    return [len(hashes) for hashes in HEADING.findall(body(path))]


def role_targets(path: Path, role: str) -> Counter[str]:
    """Multiset of a role's targets (``role`` is a regex); ``{doc}`text <target>``` counts as ``target``."""
    targets: Counter[str] = Counter()
    for content in re.findall(r"\{(?:" + role + r")\}`([^`]+)`", body(path)):
        explicit = re.search(r"<([^<>]+)>\s*$", content)
        targets[(explicit.group(1) if explicit else content).strip()] += 1
    return targets


def chapter_targets(path: Path) -> Counter[str]:
    """``{doc}`` targets, leaving out the links between the English, Swedish and Hindi overviews."""
    targets = role_targets(path, "doc")
    return Counter({target: n for target, n in targets.items() if target not in LANGUAGE_VERSIONS})


def glossary_terms(path: Path) -> Counter[str]:
    """``{term}`` targets, lower-cased as Sphinx matches them."""
    return Counter({term.lower(): n for term, n in role_targets(path, "term").items()})


def citation_keys(path: Path) -> set[str]:
    """Keys cited by ``{cite}``, ``{cite:p}``, ``{cite:t}`` and the like; a role may cite several."""
    return {
        key.strip() for keys in CITE.findall(body(path)) for key in re.split(r"[,;]", keys) if key.strip()
    }


def urls(path: Path) -> set[str]:
    """Every http(s) URL in the page, without trailing punctuation."""
    return {url.rstrip(".,;:!?") for url in URL.findall(body(path))}


def directives(path: Path) -> list[str]:
    """Names of the MyST directives (``:::{figure}``, ```` ```{admonition} ````) in document order."""
    return DIRECTIVE.findall(body(path))


def table_rows(path: Path) -> list[int]:
    """One entry per table row (header and body, not the ``|---|`` line): the row's number of cells."""
    rows = []
    for line in body(path).splitlines():
        line = line.strip()
        if not line.startswith("|") or TABLE_DELIMITER.fullmatch(line):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip("|"))
        rows.append(len(cells))
    return rows


def multiset_difference(expected: Counter[str], actual: Counter[str]) -> str:
    """``missing: [...]; extra: [...]`` comparing a translation's multiset with the English one."""
    missing = sorted((expected - actual).elements())
    extra = sorted((actual - expected).elements())
    return f"missing: {missing}; extra: {extra}"


def test_english_overview_has_what_the_checks_compare() -> None:
    """Guards against a broken pattern making every comparison below pass vacuously."""
    assert heading_levels(ENGLISH)[:1] == [1], f"{ENGLISH.name}: no level-1 heading found"
    assert role_targets(ENGLISH, "lab"), f"{ENGLISH.name}: no {{lab}} links found"
    assert chapter_targets(ENGLISH), f"{ENGLISH.name}: no {{doc}} links to chapters found"
    assert citation_keys(ENGLISH), f"{ENGLISH.name}: no citation keys found"
    assert table_rows(ENGLISH), f"{ENGLISH.name}: no table rows found"
    assert directives(ENGLISH), f"{ENGLISH.name}: no MyST directives found"


@PARAMS
def test_headings_have_the_same_levels_in_the_same_order(path: Path) -> None:
    expected, actual = heading_levels(ENGLISH), heading_levels(path)
    assert actual == expected, (
        f"{path.name}: heading levels differ from {ENGLISH.name}: expected {expected} "
        f"(count per level {dict(sorted(Counter(expected).items()))}), got {actual} "
        f"(count per level {dict(sorted(Counter(actual).items()))})"
    )


@PARAMS
def test_lab_links_are_the_same(path: Path) -> None:
    expected, actual = role_targets(ENGLISH, "lab"), role_targets(path, "lab")
    assert actual == expected, (
        f"{path.name}: {{lab}} targets differ from {ENGLISH.name}: {multiset_difference(expected, actual)}"
    )


@PARAMS
def test_chapter_links_are_the_same(path: Path) -> None:
    expected, actual = chapter_targets(ENGLISH), chapter_targets(path)
    assert actual == expected, (
        f"{path.name}: {{doc}} targets differ from {ENGLISH.name}: {multiset_difference(expected, actual)}"
    )


@PARAMS
def test_citation_keys_are_the_same(path: Path) -> None:
    expected, actual = citation_keys(ENGLISH), citation_keys(path)
    assert actual == expected, (
        f"{path.name}: citation keys differ from {ENGLISH.name}: "
        f"missing: {sorted(expected - actual)}; extra: {sorted(actual - expected)}"
    )


@PARAMS
def test_urls_are_the_same(path: Path) -> None:
    expected, actual = urls(ENGLISH), urls(path)
    assert actual == expected, (
        f"{path.name}: http(s) URLs differ from {ENGLISH.name}: "
        f"missing: {sorted(expected - actual)}; extra: {sorted(actual - expected)}"
    )


@PARAMS
def test_table_rows_are_the_same(path: Path) -> None:
    expected, actual = table_rows(ENGLISH), table_rows(path)
    assert len(actual) == len(expected), (
        f"{path.name}: {len(actual)} table rows, {ENGLISH.name} has {len(expected)}"
    )
    assert actual == expected, (
        f"{path.name}: cells per table row differ from {ENGLISH.name}: expected {expected}, got {actual}"
    )


@PARAMS
def test_glue_references_and_glossary_terms_are_the_same(path: Path) -> None:
    expected, actual = role_targets(ENGLISH, GLUE), role_targets(path, GLUE)
    assert actual == expected, (
        f"{path.name}: {{glue}} keys differ from {ENGLISH.name}: {multiset_difference(expected, actual)}"
    )
    expected, actual = glossary_terms(ENGLISH), glossary_terms(path)
    assert actual == expected, (
        f"{path.name}: {{term}} targets differ from {ENGLISH.name}: {multiset_difference(expected, actual)}"
    )


@PARAMS
def test_directives_are_the_same(path: Path) -> None:
    expected, actual = directives(ENGLISH), directives(path)
    assert actual == expected, (
        f"{path.name}: MyST directives differ from {ENGLISH.name}: expected {expected}, got {actual}"
    )


@PARAMS
def test_links_to_the_other_language_versions(path: Path) -> None:
    others = LANGUAGE_VERSIONS - {path.stem}
    linked = set(role_targets(path, "doc"))
    assert others <= linked, f"{path.name}: no {{doc}} link to {sorted(others - linked)}"
