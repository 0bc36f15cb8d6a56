"""Every chapter's front matter follows the schema, and each kind of mistake is named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.book.front_matter import FrontMatterError, chapter_files, load_front_matter, validate_front_matter

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = chapter_files(ROOT)


def write(tmp_path: Path, body: str, name: str = "page.md") -> Path:
    """Write a chapter with the given YAML front matter block into tmp_path/chapters/."""
    path = tmp_path / "chapters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{body.strip()}\n---\n\n# Heading\n\nText.\n", encoding="utf-8")
    return path


GOOD = 'title: "A page"\ndate: "2024-08-25"\nkeywords: [RAG, retrieval]'


def test_book_has_chapters() -> None:
    assert CHAPTERS, "no chapters/*.md found"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_passes(path: Path) -> None:
    meta = validate_front_matter(path)
    assert meta["keywords"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_translations_link_back(path: Path) -> None:
    """A page listing a translation is listed by that translation in turn, under its own language."""
    meta = load_front_matter(path)
    for lang, target in (meta.get("translations") or {}).items():
        other = load_front_matter(path.parent / f"{target}.md")
        assert other.get("lang") == lang, f"{target}.md should have lang: {lang}"
        assert path.stem in (other.get("translations") or {}).values(), f"{target}.md does not link back"


def test_good_page_passes(tmp_path: Path) -> None:
    meta = validate_front_matter(write(tmp_path, GOOD))
    assert meta["title"] == "A page"


def test_unquoted_date_is_accepted(tmp_path: Path) -> None:
    validate_front_matter(write(tmp_path, 'title: "A"\ndate: 2024-08-25\nkeywords: [x]'))


@pytest.mark.parametrize("field", ["title", "date", "keywords"])
def test_missing_required_field(tmp_path: Path, field: str) -> None:
    lines = [line for line in GOOD.splitlines() if not line.startswith(field + ":")]
    path = write(tmp_path, "\n".join(lines))
    with pytest.raises(FrontMatterError, match=rf"page\.md.*'{field}' is missing"):
        validate_front_matter(path)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ("[]", "empty list"),
        ('"RAG, retrieval"', "must be a YAML list"),
        ("[RAG, 3]", "non-empty strings"),
        ('[RAG, ""]', "non-empty strings"),
    ],
)
def test_bad_keywords(tmp_path: Path, keywords: str, message: str) -> None:
    path = write(tmp_path, f'title: "A"\ndate: "2024-08-25"\nkeywords: {keywords}')
    with pytest.raises(FrontMatterError, match=rf"page\.md.*'keywords'.*{message}"):
        validate_front_matter(path)


@pytest.mark.parametrize("date", ['"25/08/2024"', '"2024-8-25"', '"2024-02-30"', "2024-08-25T10:00:00"])
def test_bad_date(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, f'title: "A"\ndate: {date}\nkeywords: [x]')
    with pytest.raises(FrontMatterError, match=r"page\.md.*'date'"):
        validate_front_matter(path)


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\nkeyword: [typo]")
    with pytest.raises(FrontMatterError, match=r"page\.md.*'keyword' is unknown"):
        validate_front_matter(path)


def test_missing_translation_target(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\nlang: en\ntranslations: {sv: page-sv}")
    with pytest.raises(FrontMatterError, match=r"page\.md.*'translations'.*page-sv"):
        validate_front_matter(path)


def test_existing_translation_target(tmp_path: Path) -> None:
    write(tmp_path, GOOD + "\nlang: sv\ntranslations: {en: page}", name="page-sv.md")
    validate_front_matter(write(tmp_path, GOOD + "\nlang: en\ntranslations: {sv: page-sv}"))


def test_bad_lang(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\nlang: English")
    with pytest.raises(FrontMatterError, match=r"page\.md.*'lang'"):
        validate_front_matter(path)


def test_missing_image(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "\nimage: ../images/none.svg")
    with pytest.raises(FrontMatterError, match=r"page\.md.*'image'"):
        validate_front_matter(path)


def test_no_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "bare.md"
    path.write_text("# Just a heading\n", encoding="utf-8")
    with pytest.raises(FrontMatterError, match=r"bare\.md.*no front matter"):
        validate_front_matter(path)


def test_broken_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, 'title: "A\ndate: [')
    with pytest.raises(FrontMatterError, match=r"page\.md.*not valid YAML"):
        validate_front_matter(path)


def test_chapter_files_lists_markdown_only(tmp_path: Path) -> None:
    write(tmp_path, GOOD, name="b.md")
    write(tmp_path, GOOD, name="a.md")
    (tmp_path / "chapters" / "notes.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in chapter_files(tmp_path)] == ["a.md", "b.md"]
