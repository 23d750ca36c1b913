"""The catalogue's criteria as GoRules JDM expressions, decided by zen-engine beside decide(),
for the eligibility benchmark's comparison of per-firm evaluators."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import zen

from eligibility.domain.criteria import LEVELS, All, Certified, Compare, Criterion, Not
from eligibility.domain.facts import DATE, REGISTRY
from eligibility.domain.measures import Measure

ZEN_STATUS = {1: "eligible", 0: "ineligible", 0.5: "possibly_eligible"}


ZEN_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in"}


def zen_value(value: Any, *, day: bool) -> str:
    """A value in ZEN: a day as date('…'), anything else as JSON (tuples become arrays)."""
    return f"date('{value}')" if day else json.dumps(value)


def zen_compare(node: Compare) -> str:
    """One comparison in ZEN; days compare as dates."""
    day = REGISTRY[node.fact].type == DATE
    v = f"date({node.fact})" if day else node.fact

    def show(value: Any) -> str:
        return zen_value(value, day=day)

    if node.op == "between":
        return f"{v} >= {show(node.value[0])} and {v} <= {show(node.value[1])}"
    if node.op in ("in", "not_in"):
        listed = "[" + ", ".join(show(value) for value in node.value) + "]"
        return f"not ({v} in {listed})" if node.op == "not_in" else f"{v} in {listed}"
    return f"{v} {ZEN_OPS[node.op]} {show(node.value)}"


def zen_expression(node: Criterion, stamp: int) -> str:
    """A criteria tree as a ZEN expression: 1 pass, 0 fail, 0.5 unknown (Kleene: min, max, 1-x)."""
    if isinstance(node, Compare):
        return f"({node.fact} == null ? 0.5 : ({zen_compare(node)} ? 1 : 0))"
    if isinstance(node, Certified):
        levels = json.dumps(LEVELS[LEVELS.index(node.level_at_least or LEVELS[0]) :])
        held = f"#[0] == '{node.kind}' and #[1] in {levels} and date(#[2]) <= {stamp}"
        return f"(some(certifications ?? [], {held} and (#[3] == null or date(#[3]) >= {stamp})) ? 1 : 0)"
    if isinstance(node, Not):
        return f"(1 - {zen_expression(node.child, stamp)})"
    parts = ", ".join(zen_expression(child, stamp) for child in node.children)
    return f"{'min' if isinstance(node, All) else 'max'}([{parts}])"


def zen_engine(measures: list[Measure], day: date) -> zen.ZenEngine:
    """One JDM graph: input -> one expression node with an output per measure -> output."""
    stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    expressions = [
        {"id": f"e{i}", "key": f"m{i}", "value": zen_expression(m.criteria, stamp)}
        for i, m in enumerate(measures)
    ]
    nodes: list[dict[str, Any]] = [
        {"id": key, "type": kind, "name": key, "position": {"x": 0, "y": 0}}
        for key, kind in (("in", "inputNode"), ("ex", "expressionNode"), ("out", "outputNode"))
    ]
    nodes[1]["content"] = {"expressions": expressions}
    edges = [
        {"id": f"{s}{t}", "sourceId": s, "targetId": t} for s, t in (("in", "ex"), ("ex", "out"))
    ]
    content = {"jdm": {"nodes": nodes, "edges": [{"type": "edge", **edge} for edge in edges]}}
    return zen.ZenEngine({"loader": {"type": "static", "content": content}})
