"""Labs 7 and 8 build their LoRA and DPO configurations in the page. They must stay the book's
recipes, which the benchmark (lab 9) loads or trains, so that the labs and the benchmark share
their adapters (same recipe, same cache key)."""

from __future__ import annotations

import ast
import json

from peft import LoraConfig

from domainllm.finetune.adapters import LoraSettings
from domainllm.finetune.dpo import DpoRecipe
from domainllm.finetune.finetuned import DPO_ROUNDS
from domainllm.finetune.sft import CLOSED_BOOK_SFT, RAFT_SFT
from domainllm.paths import REPO_ROOT

BLOCKS = 30  # SmolLM2-135M


def page_definitions(lab: str, names: set[str], namespace: dict) -> dict:
    """Run the top-level statements of ``lab``'s code cells that define one of ``names``, in page
    order, in ``namespace`` (nothing else of the lab runs: no model, no training)."""
    chosen = []
    for cell in json.loads((REPO_ROOT / "labs" / lab).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            body = ast.parse("".join(cell["source"])).body
        except SyntaxError:  # the Colab cell's shell commands; a broken definition shows as missing
            continue
        for node in body:
            defined = {t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)}
            if isinstance(node, ast.FunctionDef):
                defined.add(node.name)
            if defined & names:
                chosen.append(node)
    exec(compile(ast.Module(body=chosen, type_ignores=[]), lab, "exec"), namespace)
    missing = names - namespace.keys()
    assert not missing, f"{lab} no longer defines {sorted(missing)}"
    return namespace


def test_lab_07_builds_the_lora_configs_of_the_book_recipes() -> None:
    page = page_definitions(
        "07-sft.ipynb",
        {"blocks", "lora_on_top", "closed_book_lora", "raft_lora"},
        {"LoraConfig": LoraConfig, "generator_blocks": lambda: BLOCKS},
    )
    assert LoraSettings.from_peft(page["closed_book_lora"], BLOCKS) == CLOSED_BOOK_SFT.lora
    assert LoraSettings.from_peft(page["raft_lora"], BLOCKS) == RAFT_SFT.lora


def test_lab_08_builds_the_books_first_dpo_recipe() -> None:
    page = page_definitions(
        "08-feedback-dpo.ipynb", {"dpo_recipe"}, {"DpoRecipe": DpoRecipe, "LoraSettings": LoraSettings}
    )
    assert page["dpo_recipe"] == DPO_ROUNDS[0]
