"""Lab 5 (knowledge graph): Triples from contract text with hand-written patterns, and scoring of any extractor against gold facts.

A triple says that document ``doc_id`` states ``value`` for ``category`` (a clause category such as
``governing_law``, or one of the document-level relations ``contract_type``, ``owner``, ``amends``
and ``amendment_date``), and keeps the character span it was read from, so every edge of the
knowledge graph can cite its clause.

:class:`PatternExtractor` reads every sentence of a document: a cue (a regular expression on the
sentence, sometimes on its section heading) decides the category, and a typed value finder
(:mod:`domainllm.corpus.clause_values`) reads the value. The cues were written by reading this corpus, so
they are tuned to its wording: expect lower recall on contracts worded differently (CUAD, say).
An amendment is read only where it replaces a clause; the replaced clause's section heading in the
amended contract serves as context.

:func:`score_triples` compares predicted triples with the gold facts per category (precision,
recall, F1); a value counts as correct when it matches the fact's value or one of its aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domainllm.corpus.clause_values import COMPANY_NAME, canonical_value, find_values
from domainllm.corpus.documents import Document, resolve_source
from domainllm.files import read_jsonl
from domainllm.metrics.answers import normalize_answer
from domainllm.rag.chunking import markdown_sections, sentence_spans

__all__ = [
    "CATEGORY_KINDS",
    "DOCUMENT_RELATIONS",
    "CategoryScore",
    "GoldFact",
    "PatternExtractor",
    "Triple",
    "load_gold_facts",
    "score_triples",
    "value_matches",
]

# The value kind of every clause category (None: free text, such as a field of use).
CATEGORY_KINDS: dict[str, str | None] = {
    "parties": "company",
    "agreement_date": "date",
    "effective_date": "date",
    "expiration_date": "date",
    "renewal_term": "duration",
    "notice_period_to_terminate_renewal": "duration",
    "governing_law": "place",
    "termination_for_convenience": "duration",
    "termination_for_breach": "duration",
    "exclusivity": "place",
    "non_compete": "duration",
    "minimum_commitment": "money",
    "cap_on_liability": "money",
    "audit_rights": "duration",
    "insurance": "money",
    "ip_ownership_assignment": "company",
    "license_grant": None,
    "anti_assignment": "duration",
    "change_of_control": "percent",
    "warranty_duration": "duration",
    "revenue_profit_sharing": "percent",
    "payment_terms": "duration",
    "confidentiality_period": "duration",
}
DOCUMENT_RELATIONS = ("contract_type", "owner", "amends", "amendment_date")
VALUE_KINDS = ("duration", "money", "percent", "date", "company")  # kinds found anywhere in a sentence


@dataclass(frozen=True)
class Triple:
    """``doc_id`` states ``value`` for ``category``; ``text[start:end]`` of the document is the evidence."""

    doc_id: str
    category: str
    value: str
    start: int = 0
    end: int = 0
    source: str = "pattern"


@dataclass(frozen=True)
class Rule:
    """A category cue: ``cue`` must match the sentence (and ``section`` its heading, when given).

    ``after``/``before`` must match right after/before the value; ``capture`` is a regular
    expression with a group ``v`` for free-text values.
    """

    category: str
    cue: str
    section: str | None = None
    after: str | None = None
    before: str | None = None
    capture: str | None = None


_I = re.IGNORECASE
# Order matters: the first rule that yields a value decides the sentence's category.
RULES: tuple[Rule, ...] = (
    Rule("agreement_date", r"\bdated as of\b|\b(?:made and )?signed on\b|\bexecuted this agreement on\b"),
    Rule("expiration_date", r"\bexpire|\binitial term\b.*\b(?:until|ends)\b"),
    Rule("effective_date", r"\beffective date\b|\btake effect\b|\bcommence"),
    Rule(
        "notice_period_to_terminate_renewal",
        r"renew",
        after=r"\s+(?:or more\s+)?(?:before|prior to|in advance)",
    ),
    Rule("renewal_term", r"renew|extended by", before=r"(?:periods? of|terms? of|last)\s+$"),
    Rule("termination_for_convenience", r"for convenience|without cause|for any reason"),
    Rule("termination_for_breach", r"breach"),
    Rule("change_of_control", r"voting|share capital|change of control"),
    Rule("non_compete", r"compet"),
    Rule("audit_rights", r"\baudit|\binspect"),
    Rule("anti_assignment", r"\bassign|transfer its rights"),
    Rule("warranty_duration", r"warrant|defect"),
    Rule("payment_terms", r"invoice|payment shall be made"),
    Rule("confidentiality_period", r"confidential"),
    Rule("confidentiality_period", r"surviv|continue", section=r"confidential|recipient"),
    Rule("insurance", r"insur"),
    Rule("cap_on_liability", r"liab"),
    Rule("minimum_commitment", r"purchase|contract year|commitment"),
    Rule("revenue_profit_sharing", r"royalt|commission|share|revenue|profit"),
    Rule(
        "governing_law",
        r"govern|construed|determined under",
        capture=r"\blaws? of (?:the (?:State|Province|Commonwealth|Federal Republic|Republic|Kingdom) of )?"
        r"(?P<v>[A-Z][\w]+(?:(?: and| of)? [A-Z][\w]+)*)",
    ),
    Rule(
        "exclusivity",
        r"\bexclusive\b(?! of)|Territory is|Territory, namely",
        capture=r"(?:\bin|Territory, namely|Territory is)\s+(?:the\s+)?(?P<v>[A-Z][\w]*(?:(?: and| of)? [A-Z]?[\w]+)*?)"
        r"(?=[,;.]|\s+and shall)",
    ),
    Rule(
        "license_grant",
        r"licen[cs]",
        capture=r"(?:field of|limited to|intended for)\s+(?P<v>[a-z][a-z ,&-]*?)(?=\.|,|\s+and confers)",
    ),
    Rule("ip_ownership_assignment", r"owned by|assigns to|belongs exclusively to|vest in"),
)
_PARTIES = re.compile(
    rf"(?:entered into by|parties to this Agreement are|\bBETWEEN)\s+(?P<a>{COMPANY_NAME})"
    rf".*?\((?:the )?\"[^\"]+\"\).*?\b(?:and|AND)\s+(?P<b>{COMPANY_NAME})[^()]*\((?:the )?\"[^\"]+\"\)",
    re.DOTALL,
)
_TYPE_HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.MULTILINE)
_AMENDS = re.compile(r"Amendment to (?P<type>.+?) (?:No\. )?(?P<id>[A-Z]{3}-\d{5})\b")
_REPLACES = re.compile(
    r"(?:With effect from (?P<date>[^(]+?)\s*\([^)]*\),\s*)?clause (?P<clause>[\d.]+) of the Agreement is "
    r"(?:deleted and replaced|amended)[^:\"]*:\s*\"(?P<text>[^\"]+)\"",
    re.DOTALL,
)
_CLAUSE_NUMBER = re.compile(r"^(?P<n>\d+(?:\.\d+)+)\s", re.MULTILINE)
_SIGNATURE = re.compile(r"^Signed for and on behalf", _I)


def _value_of(rule: Rule, sentence: str) -> tuple[str, int, int] | None:
    """The value ``rule`` reads from ``sentence`` as (canonical, start, end), or None."""
    kind = CATEGORY_KINDS[rule.category]
    if rule.capture is not None:
        m = re.search(rule.capture, sentence)
        if not m:
            return None
        found = canonical_value(kind, m["v"])
        return (found.canonical, m.start("v"), m.end("v")) if found else None
    for found in find_values(kind, sentence) if kind in VALUE_KINDS else []:
        if rule.after and not re.match(rule.after, sentence[found.end :], _I):
            continue
        if rule.before and not re.search(rule.before, sentence[: found.start], _I):
            continue
        return found.canonical, found.start, found.end
    return None


def classify_sentence(sentence: str, heading: str = "") -> tuple[str, str, int, int] | None:
    """``(category, canonical value, start, end)`` for the first rule that reads a value, else None."""
    for rule in RULES:
        if not re.search(rule.cue, sentence, _I):
            continue
        if rule.section is not None and not re.search(rule.section, heading, _I):
            continue
        found = _value_of(rule, sentence)
        if found:
            return (rule.category, *found)
    return None


def clause_headings(text: str) -> dict[str, str]:
    """``{clause number: section heading}`` for a contract body (``"9.2" -> "9. Limitation of Liability"``)."""
    headings = {}
    for heading, start, end in markdown_sections(text):
        for m in _CLAUSE_NUMBER.finditer(text, start, end):
            headings[m["n"]] = heading
    return headings


@dataclass
class PatternExtractor:
    """Regular-expression extractor of clause triples; results are cached per document."""

    categories: Sequence[str] | None = None
    _cache: dict[tuple[str, int], list[Triple]] = field(default_factory=dict, repr=False)
    _headings: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def _wanted(self, category: str) -> bool:
        return self.categories is None or category in self.categories or category in DOCUMENT_RELATIONS

    def remember_headings(self, documents: Iterable[Document]) -> None:
        """Learn the clause headings of contracts, so amendments can be read in context."""
        for doc in documents:
            self._headings[doc.id] = clause_headings(doc.text)

    def extract(self, doc: Document) -> list[Triple]:
        """Every triple the patterns find in one document (cached by id and text)."""
        key = (doc.id, hash(doc.text))
        if key not in self._cache:
            self._cache[key] = [t for t in self._extract(doc) if self._wanted(t.category)]
        return self._cache[key]

    def extract_all(self, documents: Sequence[Document]) -> list[Triple]:
        """Triples of every document (contracts' headings are learnt first, for the amendments)."""
        self.remember_headings(d for d in documents if d.id not in self._headings)
        return [t for doc in documents for t in self.extract(doc)]

    def _extract(self, doc: Document) -> list[Triple]:
        text = doc.text
        triples: list[Triple] = []
        title = _TYPE_HEADING.search(text)
        amends = _AMENDS.search(text[: title.end()]) if title else None
        if title and not amends:
            triples.append(
                Triple(doc.id, "contract_type", title["title"], title.start("title"), title.end("title"))
            )
        if amends:
            triples.append(Triple(doc.id, "amends", amends["id"], amends.start("id"), amends.end("id")))
            return triples + self._amendment(doc, amends["id"])
        parties = _PARTIES.search(text[:2000])
        if parties:
            span = (parties.start(), parties.end())  # the whole sentence that names both parties
            triples.append(Triple(doc.id, "owner", parties["a"], *span))
            triples.append(Triple(doc.id, "parties", parties["b"], *span))
        sections = markdown_sections(text)
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if sentence.startswith("#") or _SIGNATURE.match(sentence):
                continue
            heading = next((h for h, s, e in sections if s <= start < e), "")
            found = classify_sentence(sentence, heading)
            if found and found[0] != "parties":
                category, value, _, _ = found
                triples.append(Triple(doc.id, category, value, start, end))
        return triples

    def _amendment(self, doc: Document, amended: str) -> list[Triple]:
        """Triples of an amendment: its date and the value of each clause it replaces."""
        triples = []
        headings = self._headings.get(amended, {})
        for m in _REPLACES.finditer(doc.text):
            if m["date"]:
                date = canonical_value("date", m["date"])
                if date:
                    triples.append(
                        Triple(doc.id, "amendment_date", date.canonical, m.start("date"), m.end("date"))
                    )
            found = classify_sentence(m["text"], headings.get(m["clause"], ""))
            if found:
                triples.append(Triple(doc.id, found[0], found[1], m.start(), m.end()))
        return triples


# ---------------------------------------------------------------- gold facts and scoring


@dataclass(frozen=True)
class GoldFact:
    """One gold fact: ``doc_id`` (where it is written) states ``value`` (or an alias) for ``category``."""

    doc_id: str
    contract_id: str
    category: str
    value: str
    aliases: tuple[str, ...]
    start: int
    end: int
    current: bool = True

    @property
    def references(self) -> tuple[str, ...]:
        """The value followed by its aliases."""
        return (self.value, *self.aliases)


def load_gold_facts(source: str | Path | None = None) -> list[GoldFact]:
    """The gold facts of a generated corpus (``facts.jsonl``); an empty list for CUAD."""
    resolved = resolve_source(source)
    if resolved.kind == "cuad":
        return []
    rows = read_jsonl(resolved.path / "facts.jsonl")
    return [
        GoldFact(
            doc_id=str(r["doc_id"]),
            contract_id=str(r["contract_id"]),
            category=str(r["category"]),
            value=str(r["value"]),
            aliases=tuple(str(a) for a in r.get("aliases", ())),
            start=int(r["evidence"]["start"]),
            end=int(r["evidence"]["end"]),
            current=bool(r.get("current", True)),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class CategoryScore:
    """True positives, false positives and false negatives of one category, with P, R and F1."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """Share of predicted triples that are right (None when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """Share of gold facts found (None when there is no gold fact)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall (0 when either is 0; None when both are undefined)."""
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def to_dict(self) -> dict[str, float | int | None]:
        """Counts and rates, for a table or a JSON report."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def value_matches(value: str, references: Iterable[str]) -> bool:
    """True when ``value`` equals one of ``references`` after :func:`~domainllm.metrics.answers.normalize_answer`."""
    target = normalize_answer(value)
    return bool(target) and any(target == normalize_answer(ref) for ref in references)


def score_triples(
    predicted: Iterable[Triple], gold: Iterable[GoldFact], categories: Iterable[str] | None = None
) -> dict[str, CategoryScore]:
    """Per-category scores of predicted triples against gold facts, keyed by (document, category).

    A predicted triple is a true positive when its document has a gold fact of that category whose
    value or alias it matches (each gold fact is matched at most once); every other predicted
    triple is a false positive; every unmatched gold fact is a false negative. Document-level
    relations (``contract_type``, ...) have no gold facts and are skipped. ``categories`` limits
    the scoring (default: every category that has a gold fact or a prediction).
    """
    gold_by_key: dict[tuple[str, str], GoldFact] = {(g.doc_id, g.category): g for g in gold}
    wanted = set(categories) if categories is not None else None
    counts: dict[str, list[int]] = {}
    matched: set[tuple[str, str]] = set()
    for triple in predicted:
        if triple.category in DOCUMENT_RELATIONS or (wanted is not None and triple.category not in wanted):
            continue
        row = counts.setdefault(triple.category, [0, 0, 0])
        key = (triple.doc_id, triple.category)
        fact = gold_by_key.get(key)
        if fact is not None and key not in matched and value_matches(triple.value, fact.references):
            matched.add(key)
            row[0] += 1
        else:
            row[1] += 1
    for key, fact in gold_by_key.items():
        if wanted is not None and fact.category not in wanted:
            continue
        if key not in matched:
            counts.setdefault(fact.category, [0, 0, 0])[2] += 1
    return {category: CategoryScore(*counts[category]) for category in sorted(counts)}


def total_score(scores: Mapping[str, CategoryScore]) -> CategoryScore:
    """Micro-averaged score over categories (the counts summed)."""
    return CategoryScore(
        sum(s.tp for s in scores.values()),
        sum(s.fp for s in scores.values()),
        sum(s.fn for s in scores.values()),
    )
