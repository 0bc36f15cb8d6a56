"""Lab 5 (knowledge graph): draw the neighbourhood of one company in the knowledge graph, readable on a web page.

The company sits in the middle, its contracts on a ring around it, and each contract's type,
governing law, a few clause values and its amendments fan out in the contract's own sector, so
no two labels fight for the same place. Colours follow the node kind (Okabe-Ito palette).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from domainllm.graph.knowledge_graph import RELATIONS, node_id
from domainllm.plots import PALETTE

__all__ = ["DRAWN_CATEGORIES", "draw_neighbourhood", "neighbourhood"]

DRAWN_CATEGORIES = (
    "contract_type",
    "governing_law",
    "expiration_date",
    "payment_terms",
    "termination_for_convenience",
    "cap_on_liability",
)
KIND_COLORS = {
    "company": PALETTE[1],
    "contract": PALETTE[0],
    "amendment": PALETTE[5],
    "contract_type": PALETTE[2],
    "jurisdiction": PALETTE[3],
    "territory": PALETTE[3],
    "value": PALETTE[4],
}


_DARK = ("contract", "amendment", "contract_type", "jurisdiction", "territory")


def _wrap(label: str) -> str:
    """Break a long relation name over two lines ("termination for\nconvenience")."""
    words = label.split()
    if len(label) <= 18 or len(words) < 2:
        return label
    half = len(words) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


def _company_node(graph: nx.MultiDiGraph, company: str) -> str:
    if company in graph:
        return company
    if node_id("company", company) in graph:
        return node_id("company", company)
    matches = [
        n for n, d in graph.nodes(data=True) if d["kind"] == "company" and d["name"].startswith(company)
    ]
    if len(matches) != 1:
        raise ValueError(f"No single company in the graph is called {company!r} (found {len(matches)}).")
    return matches[0]


def neighbourhood(
    graph: nx.MultiDiGraph, company: str, categories: Sequence[str] = DRAWN_CATEGORIES
) -> nx.MultiDiGraph:
    """The company, its contracts, their amendments and their edges of the given categories (and of
    every clause an amendment replaced).

    Value and entity nodes are copied per document (ids ``"<doc>|<node>"``) so the drawing stays a tree.
    """
    centre = _company_node(graph, company)
    keep = nx.MultiDiGraph()
    keep.add_node(centre, **graph.nodes[centre])
    contracts = sorted(v for _, v, k in graph.out_edges(centre, keys=True) if k == "parties")
    for contract in contracts:
        keep.add_node(contract, **graph.nodes[contract])
        keep.add_edge(centre, contract, key="parties", relation="party_to")
        amendments = [u for u, _, k in graph.in_edges(contract, keys=True) if k == "amends"]
        # A clause an amendment replaced is drawn whatever its category: before and after.
        replaced = {k for a in amendments for _, _, k in graph.out_edges(a, keys=True) if k != "amends"}
        shown = set(categories) | replaced
        for doc in [contract, *amendments]:
            if doc != contract:
                keep.add_node(doc, **graph.nodes[doc])
                keep.add_edge(doc, contract, key="amends", relation="amends")
            for _, target, key, data in graph.out_edges(doc, keys=True, data=True):
                if key in shown:
                    # One copy per document: two contracts sharing "90 days" would cross the picture.
                    copy = f"{doc}|{target}"
                    keep.add_node(copy, **graph.nodes[target])
                    keep.add_edge(doc, copy, key=key, relation=data["relation"])
    return keep


def _layout(sub: nx.MultiDiGraph, centre: str) -> dict[str, tuple[float, float]]:
    """Company at the origin, contracts on a ring, each contract's values fanned out in its sector."""
    positions: dict[str, tuple[float, float]] = {centre: (0.0, 0.0)}
    contracts = sorted(v for _, v in sub.out_edges(centre))
    sector = 2 * math.pi / max(len(contracts), 1)
    for i, contract in enumerate(contracts):
        angle = math.pi / 2 + i * sector
        positions[contract] = (1.3 * math.cos(angle), 1.3 * math.sin(angle))
        amendments = [u for u, _, k in sub.in_edges(contract, keys=True) if k == "amends"]
        children = [v for _, v in sub.out_edges(contract) if v not in positions] + amendments
        for doc in amendments:
            children += [v for _, v in sub.out_edges(doc) if v != contract and v not in children]
        children = list(dict.fromkeys(c for c in children if c not in positions))
        spread = sector * 0.85
        for j, child in enumerate(children):
            offset = (j + 0.5) / max(len(children), 1) - 0.5
            theta = angle + offset * spread
            radius = 3.1 if j % 2 == 0 else 3.9  # alternate rings keep neighbouring labels apart
            positions[child] = (radius * math.cos(theta), radius * math.sin(theta))
    return positions


def draw_neighbourhood(
    graph: nx.MultiDiGraph,
    company: str,
    categories: Sequence[str] = DRAWN_CATEGORIES,
    ax: Axes | None = None,
) -> Figure:
    """A figure of one company's neighbourhood: node kinds coloured, edges labelled by relation."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    sub = neighbourhood(graph, company, categories)
    centre = _company_node(graph, company)
    positions = _layout(sub, centre)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10.0, 8.0))
    else:
        fig = ax.get_figure()
    nodes = list(sub.nodes)
    # Lines first (under the labels), then one coloured label box per node: boxes, unlike circles,
    # always fit their text.
    nx.draw_networkx_edges(sub, positions, ax=ax, edge_color="#9a9a9a", arrows=False, width=1.2)
    for n in nodes:
        kind = sub.nodes[n]["kind"]
        text = sub.nodes[n]["name"].replace(" Agreement", "\nAgreement").replace(" Logistics", "\nLogistics")
        ax.text(
            *positions[n],
            text,
            ha="center",
            va="center",
            fontsize=9,
            color="white" if kind in _DARK else "black",
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": KIND_COLORS.get(kind, "#cccccc"),
                "edgecolor": "none",
            },
        )
    edge_labels = {(u, v): _wrap(RELATIONS.get(k, k).replace("_", " ")) for u, v, k in sub.edges(keys=True)}
    nx.draw_networkx_edge_labels(
        sub,
        positions,
        edge_labels=edge_labels,
        font_size=8,
        font_color="#333333",
        label_pos=0.72,
        rotate=False,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        ax=ax,
    )
    kinds = list(dict.fromkeys(sub.nodes[n]["kind"] for n in nodes))
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=10,
            color=KIND_COLORS.get(k, "#999999"),
            label=k.replace("_", " "),
        )
        for k in kinds
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    ax.set_title(f"Knowledge-graph neighbourhood of {sub.nodes[centre]['name']}", fontsize=13)
    ax.set_axis_off()
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    fig.tight_layout()
    return fig
