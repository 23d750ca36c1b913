"""An explained criteria tree as indented lines, each comparison marked with its outcome: how
mails, inbox entries and the API show the all/any/not structure of a rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

OUTCOME_MARKS = {
    "pass": ("【符合】", "[met]"),
    "fail": ("【不符合】", "[not met]"),
    "unknown": ("【待补充】", "[to provide]"),
}


def sentence(criterion: Mapping[str, Any], language: str) -> str:
    """A comparison's sentence; events from before text_zh existed carry an English sentence
    only, so a Chinese text then names the fact by its Chinese label."""
    said = criterion.get(f"text_{language}")
    if said:
        return str(said)
    fallback = criterion.get("label_zh") if language == "zh" else criterion.get("text")
    return str(fallback or criterion["fact"])


def tree_lines(
    node: Mapping[str, Any],
    language: str,
    criteria: Sequence[Mapping[str, Any]] = (),
    depth: int = 0,
) -> list[str]:
    """The tree's lines; a leaf is the node itself or, by its index, one of `criteria`."""
    if "children" in node:
        heading = "  " * depth + node[f"text_{language}"] + ("：" if language == "zh" else ":")
        return [heading] + [
            line
            for child in node["children"]
            for line in tree_lines(child, language, criteria, depth + 1)
        ]
    leaf = criteria[node["criterion"]] if "criterion" in node else node
    text, outcome = sentence(leaf, language), leaf.get("outcome")
    mark = OUTCOME_MARKS[outcome][0 if language == "zh" else 1] if outcome else ""
    return ["  " * depth + (mark + text if language == "zh" or not mark else f"{mark} {text}")]
