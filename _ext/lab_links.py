"""Sphinx extension: the ``{lab}`` role links a chapter to a lab notebook by its file name.

``{lab}`03-retrieval``` becomes a cross-reference to ``labs/03-retrieval`` showing the lab's
title. While a lab is still being written (no ``labs/<name>.ipynb`` yet) the role prints its
name in italics with "(in preparation)" instead of a dead link, so chapters can name every
lab of the plan and a ``-W`` build stays green. Once the notebook exists the link is a normal
``doc`` reference, and a wrong name then fails the build.

Register it in ``_config.yml`` under ``sphinx: local_extensions: {lab_links: _ext}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxRole

LABS_FOLDER = "labs"


def lab_exists(source_dir: Path, name: str) -> bool:
    """True when the lab notebook ``labs/<name>.ipynb`` is in the book's sources."""
    return (source_dir / LABS_FOLDER / f"{name}.ipynb").is_file()


def planned_lab_label(name: str) -> str:
    """Readable label for a lab not written yet: ``05-knowledge-graph`` -> ``Lab 5, knowledge graph``."""
    number, _, rest = name.partition("-")
    label = rest.replace("-", " ")
    return f"Lab {int(number)}, {label}" if number.isdigit() else label


class LabRole(SphinxRole):
    """``{lab}`name``` or ``{lab}`text <name>```."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        text = self.text.strip()
        explicit = text.endswith(">") and "<" in text
        title, name = (
            (text[: text.rindex("<")].strip(), text[text.rindex("<") + 1 : -1].strip())
            if explicit
            else ("", text)
        )
        if lab_exists(Path(self.env.srcdir), name):
            ref = addnodes.pending_xref(
                "",
                refdomain="std",
                reftype="doc",
                reftarget=f"/{LABS_FOLDER}/{name}",
                refexplicit=explicit,
                refwarn=True,
            )
            ref += nodes.inline(title or name, title or name)
            return [ref], []
        self.env.note_dependency(str(Path(self.env.srcdir) / LABS_FOLDER / f"{name}.ipynb"))
        return [nodes.emphasis(text=f"{title or planned_lab_label(name)} (in preparation)")], []


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_role("lab", LabRole())
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
