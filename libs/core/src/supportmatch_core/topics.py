"""The Kafka topics of the platform: one per event type, keyed by USCC, each with a dead-letter twin."""

from __future__ import annotations

from dataclasses import dataclass

PROFILE = "enterprise.profile.v1"
DETERMINATION = "eligibility.determination.v1"
MEASURE = "policy.measure.v1"
DELIVERY = "notification.delivery.v1"
CASE = "casework.case.v1"

PARTITIONS = 3
# One full snapshot per enterprise, keyed by USCC: the latest per key is all a reader ever needs.
COMPACTED = frozenset({PROFILE})


def dead_letter(topic: str) -> str:
    """The dead-letter topic of `topic`."""
    return f"{topic}.dlq"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool = False


def all_topics(partitions: int = PARTITIONS) -> list[TopicSpec]:
    """Every topic the platform produces to, dead-letter topics (one partition each) included."""
    main = [PROFILE, DETERMINATION, MEASURE, DELIVERY, CASE]
    return [TopicSpec(t, partitions, compacted=t in COMPACTED) for t in main] + [
        TopicSpec(dead_letter(t), 1) for t in main
    ]
