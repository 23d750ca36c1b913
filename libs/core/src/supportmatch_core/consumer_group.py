"""A consumer's place in its group: joining it once the topics' partitions are known (where the
groups of one topic each stopped, the first time), the limits on every call that waits on the
broker, the lag of the partitions it holds, and noticing when it holds unread messages and reads
none."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaTimeoutError, NoError

from supportmatch_core.metrics import CONSUMER_JOIN_SECONDS

log = logging.getLogger("supportmatch_core.consumer")

# Every call that waits on the broker has an end. Without one, kafka-python waits for ever for a
# commit or a position while its group rebalances after a member died: the loop stops polling,
# the group drops it, and its partitions are read by nobody (seen with two replicas on Apache
# Kafka). On a timeout the consumer is closed and made again, and rejoins the group.
COMMIT_TIMEOUT_MS = 30_000
LAG_TIMEOUT_MS = 2_000
# A consumer that holds partitions with unread messages and is given none for this long is stuck,
# whatever the cause (a membership the broker forgot, a fetch that never returns): it is made again.
STALL_SECONDS = 60.0


class Stalled(Exception):
    """The consumer holds unread messages and has read none for `STALL_SECONDS`."""


def partitions_known(consumer: KafkaConsumer, topic: str, stop: threading.Event) -> bool:
    """Wait until this client's metadata lists the topic's partitions (False if stopped first): a
    group leader that assigns before then gives its members none, on Apache Kafka for minutes,
    as when the topics were created a moment before the consumers started."""
    while not consumer.partitions_for_topic(topic):
        if stop.wait(0.2):
            return False
    return True


def adopt_offsets(admin: KafkaAdminClient, group: str, earlier: Collection[str]) -> int:
    """Give `group` the offsets its `earlier` groups committed (a service read each topic in a
    group of its own before ADR 0036) for the partitions where it has committed none, so it goes
    on where they stopped instead of reading those partitions from their start; returns how many
    partitions it was given. A group that another replica has joined meanwhile refuses them and
    keeps its own; a message read again by a replica that raced here is skipped as processed. A
    coordinator not ready yet raises its (retriable) error, and the consumer tries again."""
    own = {
        tp
        for tp, at in admin.list_group_offsets({group: None}).get(group, {}).items()
        if at.offset >= 0
    }
    offsets = {}
    for name in earlier:
        committed = admin.list_group_offsets({name: None}).get(name, {})
        offsets.update({tp: at for tp, at in committed.items() if at.offset >= 0 and tp not in own})
    if not offsets:
        return 0
    errors = admin.alter_group_offsets(group, offsets)
    retry = [error for error in errors.values() if error.retriable]
    if retry:  # the group's coordinator is loading or moving: the consumer tries again
        raise retry[0](f"the offsets of {group} could not be set yet")
    adopted = sum(1 for error in errors.values() if error is NoError)
    refused = sorted({error.__name__ for error in errors.values() if error is not NoError})
    log.log(
        logging.WARNING if refused else logging.INFO,
        "consumer group took offsets from the groups of one topic each",
        extra={"group": group, "partitions": adopted, "refused": refused},
    )
    return adopted


class JoinTimer(ConsumerRebalanceListener):  # type: ignore[misc]
    """Says once how long the consumer took to be given its first partitions, under each name
    its work goes by."""

    def __init__(self, names: Collection[str], started: float, joined: threading.Event) -> None:
        self.names, self.started, self.joined = names, started, joined

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        if not self.joined.is_set():
            seconds = time.monotonic() - self.started
            for name in self.names:
                CONSUMER_JOIN_SECONDS.labels(name).set(seconds)
            log.info(
                "consumer joined its group",
                extra={"consumers": sorted(self.names), "seconds": seconds},
            )
            self.joined.set()


def lags_of(consumer: KafkaConsumer) -> dict[str, int] | None:
    """The messages of the consumer's partitions not handled yet, by topic; None while it holds
    none, a partition just assigned has no position yet, or the broker does not answer in time
    (a gauge is no reason to leave the group: it is measured next time)."""
    assigned = list(consumer.assignment())
    if not assigned:
        return None
    try:
        ends = consumer.end_offsets(assigned, timeout_ms=LAG_TIMEOUT_MS)
        positions = [consumer.position(tp, timeout_ms=LAG_TIMEOUT_MS) for tp in assigned]
    except KafkaTimeoutError:
        return None
    if None in positions:
        return None
    lags: dict[str, int] = defaultdict(int)
    for tp, at in zip(assigned, positions, strict=True):
        lags[tp.topic] += max(0, int(ends[tp]) - int(at))
    return dict(lags)


class StallWatch:
    """Raises `Stalled` when every lag measured for `limit` seconds was above zero and the
    consumer neither was given a message nor finished a batch in that time. A lag of zero, or one
    not known (no partitions held, the broker not answering), is not a stall."""

    def __init__(self, limit: float = STALL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._limit, self._clock = limit, clock
        self._since = clock()

    def progressed(self) -> None:
        """A poll gave messages, or a batch was handled."""
        self._since = self._clock()

    def measured(self, lag: int | None) -> None:
        now = self._clock()
        if not lag:
            self._since = now
        elif now - self._since > self._limit:
            raise Stalled(f"{lag} messages waiting and none read for {now - self._since:.0f} s")
