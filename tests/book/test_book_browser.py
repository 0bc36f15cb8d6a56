"""The built book, opened in a real browser (headless Chromium) through a local HTTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.book.book_site import BUILD_HTML, REPO_ROOT, RecordingServer, rendered_dom, toc_documents

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site() -> Iterator[RecordingServer]:
    if not (BUILD_HTML / "index.html").is_file():
        pytest.fail("The book is not built: run `make book` first (`make test` builds it before pytest).")
    with RecordingServer(BUILD_HTML) as server:
        yield server


@pytest.fixture(scope="module")
def pages(site: RecordingServer) -> dict[str, str]:
    """DOM of every page in the table of contents, loaded once."""
    return {doc: rendered_dom(site.base_url + doc + ".html") for doc in toc_documents()}


def test_every_page_and_asset_loads_without_an_error(site: RecordingServer, pages: dict[str, str]) -> None:
    for doc, dom in pages.items():
        assert "<article" in dom, f"{doc}.html did not render an article"
    failures = site.failures()
    assert failures == [], f"requests that failed (page, image, script or stylesheet): {failures}"
    loaded = {path.split("?")[0] for path, _ in site.requests}
    assert any(p.endswith(".css") for p in loaded) and any(p.endswith(".js") for p in loaded)


def test_lab_pages_offer_binder_and_colab(pages: dict[str, str]) -> None:
    labs = {doc: dom for doc, dom in pages.items() if doc.startswith("labs/")}
    assert labs, "the table of contents lists no lab"
    for doc, dom in labs.items():
        assert re.search(r"https://mybinder\.org/v2/gh/[^\"']+urlpath=lab", dom), (
            f"{doc}: no Binder launch button"
        )
        assert "https://colab.research.google.com/github/" in dom, f"{doc}: no Colab launch button"


def _word_from_a_page() -> str:
    """A distinctive word taken from the book's own text (never a hard-coded guess)."""
    text = (REPO_ROOT / "intro.md").read_text(encoding="utf-8")
    words = re.findall(r"\b[a-z]{9,}\b", text)
    assert words, "intro.md has no long word to search for"
    return max(set(words), key=lambda w: (text.count(w), w))


def test_search_finds_a_word_that_appears_in_the_text(site: RecordingServer) -> None:
    word = _word_from_a_page()
    dom = rendered_dom(f"{site.base_url}search.html?q={word}", budget_ms=8000)
    results = re.search(r'<ul class="search">(.*?)</ul>', dom, flags=re.S)
    assert results and "<li" in results.group(1), f"searching the book for {word!r} returned nothing"


def test_hindi_overview_renders_devanagari_and_declares_utf8(pages: dict[str, str]) -> None:
    raw = (BUILD_HTML / "chapters" / "overview-hi.html").read_text(encoding="utf-8")
    assert re.search(r'<meta charset="utf-8"', raw, flags=re.I)
    assert len(re.findall(r"[\u0900-\u097F]", pages["chapters/overview-hi"])) > 500


def test_the_three_overviews_link_to_each_other(pages: dict[str, str]) -> None:
    versions = ("overview", "overview-sv", "overview-hi")
    for page in versions:
        for other in versions:
            if other != page:
                assert f'href="{other}.html' in pages[f"chapters/{page}"], f"{page} does not link to {other}"
