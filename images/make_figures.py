"""Draw the book's diagrams as small, hand-laid-out SVG files.

Run ``python images/make_figures.py`` from the repository root; it rewrites
``images/rag-pipeline.svg``, ``images/feedback-loop.svg``, ``images/decision-tree.svg`` and
``images/overview-cover.svg``. The SVGs are committed; the book build does not run this.
Plain SVG (no matplotlib) keeps the files a few kilobytes and the text selectable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
BLUE = ("#e3f0fb", "#1d6fb8")
ORANGE = ("#fdebd8", "#c25e00")
GREEN = ("#e3f5e8", "#23854a")
PURPLE = ("#efe8fb", "#6a3fb5")
GREY = ("#f1f3f5", "#616e7c")


@dataclass
class Svg:
    """A tiny SVG builder: boxes, arrows and text in user units."""

    width: int
    height: int
    title: str
    desc: str
    parts: list[str] = field(default_factory=list)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: int = 14,
        weight: str = "normal",
        fill: str = INK,
        anchor: str = "middle",
    ) -> None:
        """Place one line of text with its baseline centred at (x, y)."""
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(s)}</text>'
        )

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        colours: tuple[str, str],
        heading: str,
        lines: tuple[str, ...] = (),
        rx: int = 10,
        size: int = 13,
    ) -> None:
        """A rounded box with a bold heading and optional smaller lines below it."""
        fill, stroke = colours
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{rx}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="2"/>'
        )
        total = 20 + 17 * len(lines)
        top = y + (h - total) / 2 + 15
        self.text(x + w / 2, top, heading, size=15, weight="bold", fill=stroke)
        for i, line in enumerate(lines):
            self.text(x + w / 2, top + 21 + 17 * i, line, size=size, fill=INK)

    def diamond(self, cx: float, cy: float, w: float, h: float, lines: tuple[str, ...]) -> None:
        """A decision diamond with centred lines of text."""
        fill, stroke = GREY
        points = f"{cx:g},{cy - h / 2:g} {cx + w / 2:g},{cy:g} {cx:g},{cy + h / 2:g} {cx - w / 2:g},{cy:g}"
        self.parts.append(f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
        top = cy - 8.5 * (len(lines) - 1) + 5
        for i, line in enumerate(lines):
            self.text(cx, top + 17 * i, line, size=13)

    def arrow(
        self, points: list[tuple[float, float]], label: str = "", at: int = 0, colour: str = MUTED
    ) -> None:
        """A polyline with an arrow head at its end; ``label`` sits beside segment ``at``."""
        path = " ".join(f"{x:g},{y:g}" for x, y in points)
        self.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
            f'marker-end="url(#head)"/>'
        )
        if label:
            (x1, y1), (x2, y2) = points[at], points[at + 1]
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            if abs(x2 - x1) > abs(y2 - y1):
                self.text(mx, my - 7, label, size=12, fill=MUTED)
            else:
                self.text(mx + 8, my + 4, label, size=12, fill=MUTED, anchor="start")

    def render(self) -> str:
        """The finished SVG document."""
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" aria-labelledby="t d" '
            f'font-family="{FONT}">\n'
            f'<title id="t">{escape(self.title)}</title>\n<desc id="d">{escape(self.desc)}</desc>\n'
            '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/>'
            "</marker></defs>\n"
            f'<rect width="{self.width}" height="{self.height}" fill="#ffffff"/>\n'
        )
        return head + "\n".join(self.parts) + "\n</svg>\n"


def rag_pipeline() -> Svg:
    """Query flows through the three retrieval stages into generation; documents feed the index."""
    svg = Svg(
        1000,
        420,
        "The RAG pipeline in three stages plus generation",
        "A user question passes through pre-retrieval (query rewriting, HyDE, decomposition, step-back), "
        "retrieval from an index (dense, BM25, hybrid with reciprocal rank fusion), post-retrieval "
        "(re-ranking, filtering, compression, ordering) and generation by the language model, which "
        "answers with citations. Below, documents are chunked and embedded into the index.",
    )
    y, h, w = 60, 170, 200
    xs = [30, 270, 510, 750]
    svg.text(30, 40, "Query time", size=16, weight="bold", fill=MUTED, anchor="start")
    svg.box(
        xs[0],
        y,
        w,
        h,
        BLUE,
        "1 Pre-retrieval",
        ("query rewriting", "HyDE / Query2doc", "decomposition", "step-back question"),
    )
    svg.box(
        xs[1],
        y,
        w,
        h,
        BLUE,
        "2 Retrieval",
        ("dense (embeddings)", "sparse (BM25)", "hybrid + RRF", "top-k chunks"),
    )
    svg.box(xs[2], y, w, h, BLUE, "3 Post-retrieval", ("re-ranking", "filtering", "compression", "ordering"))
    svg.box(
        xs[3],
        y,
        220,
        h,
        GREEN,
        "Generation",
        ("prompt = question", "+ retrieved context", "LLM writes answer", "with citations"),
    )
    for a, b in zip(xs[:-1], xs[1:], strict=True):
        svg.arrow([(a + w + 2, y + h / 2), (b - 4, y + h / 2)])
    svg.text(30, 292, "Indexing time", size=16, weight="bold", fill=MUTED, anchor="start")
    svg.box(30, 310, 200, 80, GREY, "Documents", ("contracts, manuals, FAQs",))
    svg.box(270, 310, 200, 80, GREY, "Index", ("chunks + vectors", "+ keyword index"))
    svg.arrow([(232, 350), (266, 350)], "")
    svg.text(500, 345, "chunking · embedding ·", size=13, fill=MUTED, anchor="start")
    svg.text(500, 363, "hypothetical questions · knowledge graph", size=13, fill=MUTED, anchor="start")
    svg.arrow([(370, 308), (370, y + h + 4)], "search", at=0)
    return svg


def feedback_loop() -> Svg:
    """SFT model answers, humans and an AI judge rate, ratings become preference pairs, DPO updates."""
    svg = Svg(
        900,
        470,
        "Continuous fine-tuning with human and AI feedback",
        "A base model is adapted with supervised fine-tuning using LoRA. The tuned model answers new "
        "questions. Human reviewers and an AI judge rate the answers. Ratings are turned into preference "
        "pairs of a chosen and a rejected answer, which direct preference optimization (DPO) uses to "
        "update the model. A held-out evaluation gate decides whether the new model replaces the old one, "
        "and the loop repeats.",
    )
    svg.box(40, 60, 210, 90, GREY, "Base model", ("e.g. SmolLM2-135M-Instruct",), size=12)
    svg.box(340, 60, 210, 90, ORANGE, "SFT with LoRA", ("question → answer pairs",))
    svg.box(640, 60, 220, 90, GREEN, "Model in use", ("answers new questions",))
    svg.box(640, 300, 220, 110, PURPLE, "Feedback", ("human ratings", "AI judge scores"))
    svg.box(340, 300, 210, 110, PURPLE, "Preference pairs", ("(prompt, chosen,", "rejected)"))
    svg.box(40, 300, 210, 110, ORANGE, "DPO", ("update towards", "chosen answers"))
    svg.arrow([(252, 105), (336, 105)])
    svg.arrow([(552, 105), (636, 105)])
    svg.arrow([(750, 152), (750, 296)], "answers + logs", at=0)
    svg.arrow([(638, 355), (554, 355)])
    svg.arrow([(338, 355), (254, 355)])
    svg.arrow([(145, 298), (145, 230), (445, 230), (445, 154)], "held-out gate passed", at=1)
    svg.text(
        450,
        452,
        "Each turn of the loop is evaluated on held-out questions before it replaces the model.",
        size=13,
        fill=MUTED,
    )
    return svg


def decision_tree() -> Svg:
    """Which approach: RAG, fine-tuning or both."""
    svg = Svg(
        1000,
        540,
        "Decision tree: RAG, fine-tuning, or both",
        "Start with what the model lacks. If it lacks behaviour (format, style, a task skill) choose "
        "fine-tuning. If it lacks knowledge, ask whether the knowledge changes often or answers must cite "
        "sources: if yes choose RAG. If not, ask whether RAG alone is accurate enough on held-out questions: "
        "if yes choose RAG, otherwise combine both, for example with retrieval-aware fine-tuning. If the "
        "model lacks both knowledge and behaviour, combine both.",
    )
    svg.diamond(500, 70, 330, 100, ("What does the base model lack", "on your held-out questions?"))
    svg.diamond(
        250, 230, 300, 110, ("Does the knowledge change", "often, or must answers", "cite their sources?")
    )
    svg.diamond(
        250, 400, 300, 110, ("Is RAG alone accurate", "enough, at a cost you", "can carry per query?")
    )
    svg.box(590, 190, 190, 80, ORANGE, "Fine-tuning", ("SFT, then DPO",))
    svg.box(800, 190, 180, 80, GREEN, "Both", ("RAG + RAFT",))
    svg.box(470, 205, 100, 50, BLUE, "RAG", ())
    svg.box(470, 375, 100, 50, BLUE, "RAG", ())
    svg.box(590, 360, 190, 80, GREEN, "Both", ("RAG + RAFT",))
    svg.arrow([(335, 70), (250, 70), (250, 171)], "knowledge", at=0)
    svg.arrow([(500, 122), (500, 150), (685, 150), (685, 186)], "behaviour", at=1)
    svg.arrow([(667, 70), (890, 70), (890, 186)], "both", at=0)
    svg.arrow([(400, 230), (466, 230)], "yes")
    svg.arrow([(250, 287), (250, 341)], "no")
    svg.arrow([(400, 400), (466, 400)], "yes")
    svg.arrow([(250, 457), (250, 490), (685, 490), (685, 444)], "no", at=1)
    svg.text(
        500,
        528,
        "Re-check the choice when the volume of queries, the update rate or the prices change.",
        size=13,
        fill=MUTED,
    )
    return svg


def cover() -> Svg:
    """Cover image of the overview chapter."""
    svg = Svg(
        1200,
        630,
        "Cover: Domain-Driven LLM Development",
        "Cover of the companion book to the KDD 2024 tutorial on RAG and fine-tuning. On the left, a stack "
        "of documents feeds a magnifying-glass search into a language model; on the right, a dial stands "
        "for fine-tuned weights. Between them, a scale weighs accuracy against cost.",
    )
    svg.parts.append('<rect x="0" y="0" width="1200" height="630" fill="#f7fafc"/>')
    svg.parts.append('<rect x="0" y="0" width="1200" height="10" fill="#1d6fb8"/>')
    svg.text(600, 110, "Domain-Driven LLM Development", size=54, weight="bold", fill=INK)
    svg.text(600, 165, "RAG and fine-tuning, measured side by side", size=28, fill=MUTED)
    svg.text(
        600,
        205,
        "A companion book to the KDD 2024 tutorial · Barcelona · 25 August 2024",
        size=20,
        fill=MUTED,
    )
    # documents
    for i in range(3):
        x, y = 150 + 14 * i, 290 + 14 * i
        svg.parts.append(
            f'<rect x="{x}" y="{y}" width="150" height="190" rx="8" fill="#ffffff" '
            f'stroke="{BLUE[1]}" stroke-width="3"/>'
        )
    for j in range(6):
        svg.parts.append(
            f'<line x1="200" y1="{355 + 22 * j}" x2="{320 - 18 * (j % 2)}" y2="{355 + 22 * j}" '
            f'stroke="{BLUE[1]}" stroke-width="4" stroke-linecap="round" opacity="0.6"/>'
        )
    svg.text(250, 545, "your documents", size=22, fill=BLUE[1])
    # magnifier
    svg.parts.append(
        f'<circle cx="430" cy="385" r="45" fill="{BLUE[0]}" stroke="{BLUE[1]}" stroke-width="6"/>'
    )
    svg.parts.append(
        f'<line x1="462" y1="417" x2="500" y2="455" stroke="{BLUE[1]}" stroke-width="10" '
        'stroke-linecap="round"/>'
    )
    svg.text(430, 545, "retrieval", size=22, fill=BLUE[1])
    # model
    svg.parts.append(
        f'<rect x="530" y="300" width="140" height="180" rx="20" fill="{GREEN[0]}" '
        f'stroke="{GREEN[1]}" stroke-width="4"/>'
    )
    for r in range(3):
        for c in range(3):
            svg.parts.append(f'<circle cx="{565 + 35 * c}" cy="{345 + 45 * r}" r="10" fill="{GREEN[1]}"/>')
    svg.text(600, 545, "model", size=22, fill=GREEN[1])
    # dial (weights)
    svg.parts.append(
        f'<circle cx="800" cy="390" r="70" fill="{ORANGE[0]}" stroke="{ORANGE[1]}" stroke-width="6"/>'
    )
    svg.parts.append(
        f'<line x1="800" y1="390" x2="845" y2="345" stroke="{ORANGE[1]}" stroke-width="8" '
        'stroke-linecap="round"/>'
    )
    svg.parts.append(f'<circle cx="800" cy="390" r="9" fill="{ORANGE[1]}"/>')
    svg.text(800, 545, "fine-tuning", size=22, fill=ORANGE[1])
    # scale (accuracy vs cost)
    svg.parts.append(f'<line x1="1000" y1="300" x2="1000" y2="480" stroke="{MUTED}" stroke-width="6"/>')
    svg.parts.append(
        f'<line x1="930" y1="330" x2="1070" y2="315" stroke="{MUTED}" stroke-width="6" '
        'stroke-linecap="round"/>'
    )
    svg.parts.append(f'<path d="M905,370 Q930,395 955,370 Z" fill="{MUTED}"/>')
    svg.parts.append(f'<path d="M1045,355 Q1070,380 1095,355 Z" fill="{MUTED}"/>')
    svg.parts.append(f'<line x1="930" y1="330" x2="930" y2="370" stroke="{MUTED}" stroke-width="2"/>')
    svg.parts.append(f'<line x1="1070" y1="315" x2="1070" y2="355" stroke="{MUTED}" stroke-width="2"/>')
    svg.parts.append(
        f'<line x1="960" y1="480" x2="1040" y2="480" stroke="{MUTED}" stroke-width="6" '
        'stroke-linecap="round"/>'
    )
    svg.text(1000, 545, "accuracy vs cost", size=22, fill=MUTED)
    for x1, x2 in ((345, 380), (505, 524), (676, 724)):
        svg.arrow([(x1, 390), (x2, 390)])
    return svg


def main() -> None:
    """Write all figures next to this script."""
    for name, build in (
        ("rag-pipeline.svg", rag_pipeline),
        ("feedback-loop.svg", feedback_loop),
        ("decision-tree.svg", decision_tree),
        ("overview-cover.svg", cover),
    ):
        (HERE / name).write_text(build().render(), encoding="utf-8")
        print(f"wrote images/{name}")


if __name__ == "__main__":
    main()
