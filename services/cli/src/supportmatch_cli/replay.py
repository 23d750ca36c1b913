"""`supportmatch replay`: a service's consumer reads a topic again from its start.

Safe because every consumer records the events it handled (processed_events): a replayed event
changes nothing. Kafka lets offsets be reset only while the group has no members, so the consumer
must be stopped (or its session expired) first; the command refuses otherwise.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from kafka import TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError, NoError

from supportmatch_core.kafka import create_admin
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import all_topics

SERVICES = ("eligibility", "notifications")


def replay(
    service: Annotated[
        str, typer.Argument(help="the consuming service: eligibility, notifications")
    ],
    topic: Annotated[str, typer.Argument(help="the topic, e.g. enterprise.profile.v1")],
    wait: Annotated[
        float, typer.Option(min=0, help="seconds to wait for the group's members to leave")
    ] = 0,
) -> None:
    """Reset SERVICE's consumer group on TOPIC to the topic's first offsets."""
    if service not in SERVICES:
        raise typer.BadParameter(f"one of {', '.join(SERVICES)}", param_hint="SERVICE")
    if topic not in {spec.name for spec in all_topics()}:
        raise typer.BadParameter("not a topic of the platform", param_hint="TOPIC")
    group = service  # a service reads all its topics in the group named after it (ADR 0036)
    settings = ServiceSettings(service_name=f"{service}-replay")
    deadline = time.monotonic() + wait
    while True:
        try:
            reset = reset_to_start(settings, group=group, topic=topic)
            break
        except GroupActive as error:
            if time.monotonic() >= deadline:
                typer.echo(f"replay: {error}", err=True)
                raise typer.Exit(1) from error
            time.sleep(1)
        except KafkaError as error:
            typer.echo(
                f"replay: the broker at {settings.kafka_bootstrap_servers}: {error}", err=True
            )
            raise typer.Exit(2) from error
    typer.echo(f"{group}: {reset} partition(s) of {topic} reset to their start")


class GroupActive(Exception):
    """The consumer group still has members; offsets cannot be reset under them."""


def reset_to_start(settings: ServiceSettings, *, group: str, topic: str) -> int:
    """Move `group` to the first offset of every partition of `topic`; returns how many."""
    admin = create_admin(settings)
    try:
        (described,) = admin.describe_topics([topic])
        partitions = [TopicPartition(topic, p["partition_index"]) for p in described["partitions"]]
        results = admin.reset_group_offsets(group, dict.fromkeys(partitions, OffsetSpec.EARLIEST))
        refusals = {r["error"].__name__ for r in results.values() if r["error"] is not NoError}
        if refusals:  # a group with members refuses: their offsets are theirs
            raise GroupActive(
                f"{group} still has active members ({', '.join(sorted(refusals))}); "
                "stop the service (or wait for its session to end) and run this again"
            )
    finally:
        admin.close()
    return len(partitions)
