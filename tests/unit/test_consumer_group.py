"""The consumer in its group (no broker): subscribing once the partitions are known, commits and
positions that wait too long, the lag gauge, and a consumer that stalls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import pytest
from kafka import KafkaAdminClient, TopicPartition
from kafka.errors import (
    CoordinatorLoadInProgressError,
    KafkaConnectionError,
    KafkaTimeoutError,
    NoError,
    UnknownMemberIdError,
)
from kafka.structs import OffsetAndMetadata

from supportmatch_core.consumer import EventConsumer
from supportmatch_core.consumer_group import (
    COMMIT_TIMEOUT_MS,
    LAG_TIMEOUT_MS,
    Stalled,
    StallWatch,
    adopt_offsets,
    lags_of,
    partitions_known,
)
from supportmatch_core.topics import CASE, PROFILE
from tests.unit._consumers import (
    Handler,
    make_consumer,
)


class SlowMetadata:
    """A client whose metadata lists the topic's partitions only on the third look."""

    def __init__(self) -> None:
        self.looks = 0

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        self.looks += 1
        return {0, 1} if self.looks >= 3 else None


def test_a_consumer_subscribes_only_once_its_metadata_lists_the_partitions() -> None:
    client = SlowMetadata()
    assert partitions_known(client, PROFILE, threading.Event())
    assert client.looks == 3


def test_waiting_for_partitions_ends_when_the_service_stops() -> None:
    stopped = threading.Event()
    stopped.set()
    assert not partitions_known(SlowMetadata(), PROFILE, stopped)


class KafkaClient:
    """What the consumer loop asks of a Kafka consumer before it polls, and at the end."""

    closed = False

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0}

    def subscribe(self, topics: list[str], listener: Any) -> None:
        pass

    def close(self, autocommit: bool) -> None:
        self.closed = True


Client = TypeVar("Client", bound=KafkaClient)


def run_until_third(consumer: EventConsumer, make: Callable[[], Client]) -> list[Client]:
    """Run the consumer's loop until it asks for a third Kafka consumer; the ones it was given."""
    made: list[Client] = []
    stop = threading.Event()

    def consumer_factory(name: str) -> Client:
        if len(made) == 2:
            stop.set()  # the loop made a second consumer and gave it up too: enough
        made.append(make())
        return made[-1]

    consumer._consumer_factory = consumer_factory
    runner = threading.Thread(target=consumer.run, args=(stop,))
    runner.start()
    runner.join(timeout=10)
    assert not runner.is_alive()
    return made


class RebalancingConsumer(KafkaClient):
    """A Kafka consumer whose commit times out, as kafka-python's may while its group rebalances
    after a member died; it hands out one message, then nothing."""

    def __init__(self, message: Any) -> None:
        self.batches = [{TopicPartition(PROFILE, 0): [message]}]
        self.commits: list[int | None] = []

    def poll(self, timeout_ms: int) -> dict[Any, list[Any]]:
        return self.batches.pop() if self.batches else {}

    def assignment(self) -> set[Any]:
        return set()

    def commit(self, timeout_ms: int | None = None) -> None:
        self.commits.append(timeout_ms)
        raise KafkaTimeoutError("Timeout waiting for future")


def test_a_commit_that_waits_too_long_makes_the_consumer_again() -> None:
    """No call to the broker waits for ever: a commit that times out closes the consumer, and a
    new one rejoins the group and is given the batch again (its processed rows skip it then)."""
    consumer = make_consumer(Handler())
    batches: list[Sequence[Any]] = []
    consumer.processing.process_batch = batches.append  # type: ignore[method-assign,assignment]
    made = run_until_third(consumer, lambda: RebalancingConsumer(message="the batch"))
    assert [c.commits for c in made[:2]] == [[COMMIT_TIMEOUT_MS], [COMMIT_TIMEOUT_MS]]
    assert all(c.closed for c in made)
    assert batches == [["the batch"], ["the batch"]]
    assert "Timeout" in consumer.health.reason


class Holding:
    """A consumer holding two partitions; the second's position is not known yet unless given."""

    def __init__(self, second: int | None) -> None:
        self.positions = {TopicPartition("t", 0): 7, TopicPartition("t", 1): second}
        self.timeouts: list[int | None] = []

    def assignment(self) -> set[TopicPartition]:
        return set(self.positions)

    def end_offsets(self, partitions: list[Any], timeout_ms: int | None = None) -> dict[Any, int]:
        self.timeouts.append(timeout_ms)
        return dict.fromkeys(partitions, 10)

    def position(self, partition: Any, timeout_ms: int | None = None) -> int | None:
        self.timeouts.append(timeout_ms)
        return self.positions[partition]


def test_the_lag_is_measured_only_when_every_position_is_known_and_never_waits_long() -> None:
    known = Holding(second=4)
    assert lags_of(known) == {"t": 3 + 6}
    assert set(known.timeouts) == {LAG_TIMEOUT_MS}
    assert lags_of(Holding(second=None)) is None


class Unanswered(Holding):
    """A consumer whose broker does not answer the offsets asked for the gauge in time."""

    def end_offsets(self, partitions: list[Any], timeout_ms: int | None = None) -> dict[Any, int]:
        raise KafkaTimeoutError("Timeout waiting for future")


def test_a_gauge_the_broker_does_not_answer_in_time_is_measured_next_time() -> None:
    assert lags_of(Unanswered(second=4)) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_consumer_is_stalled_only_when_messages_wait_and_none_is_read_for_the_limit() -> None:
    clock = Clock()
    watch = StallWatch(60, clock)
    clock.now = 59
    watch.measured(5)  # waiting, but not for long yet
    watch.progressed()
    clock.now = 118
    watch.measured(5)  # 59 s since the last batch
    clock.now = 200
    watch.measured(0)  # caught up: nothing waits
    watch.measured(None)  # holds no partitions
    clock.now = 259
    watch.measured(3)
    clock.now = 261
    with pytest.raises(Stalled, match="3 messages waiting and none read for 61 s"):
        watch.measured(3)


class Stuck(KafkaClient):
    """A Kafka consumer that holds a partition with ten messages unread and is given none, as one
    whose membership the broker forgot while it kept polling."""

    def poll(self, timeout_ms: int) -> dict[Any, list[Any]]:
        return {}

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition(PROFILE, 0)}

    def end_offsets(self, partitions: list[Any], timeout_ms: int | None = None) -> dict[Any, int]:
        return dict.fromkeys(partitions, 10)

    def position(self, partition: Any, timeout_ms: int | None = None) -> int:
        return 0


def test_a_consumer_that_reads_nothing_while_messages_wait_is_made_again() -> None:
    consumer = make_consumer(Handler())
    consumer._stall_seconds, consumer._lag_every = 0.05, 0.0
    made = run_until_third(consumer, Stuck)
    assert len(made) == 3
    assert all(c.closed for c in made)
    assert "10 messages waiting" in consumer.health.reason


class Groups:
    """An admin client over committed offsets by group; `alter` answers each partition with
    `answer`."""

    def __init__(self, committed: dict[str, dict[TopicPartition, int]], answer: type) -> None:
        self.committed, self.answer = committed, answer
        self.altered: dict[TopicPartition, int] = {}

    def list_group_offsets(self, specs: dict[str, None]) -> dict[str, dict[TopicPartition, Any]]:
        (group,) = specs
        offsets = self.committed.get(group, {})
        return {group: {tp: OffsetAndMetadata(at, "", -1) for tp, at in offsets.items()}}

    def alter_group_offsets(
        self, group: str, offsets: dict[TopicPartition, Any]
    ) -> dict[TopicPartition, type]:
        if self.answer is NoError:
            self.altered = {tp: at.offset for tp, at in offsets.items()}
        return dict.fromkeys(offsets, self.answer)


def test_a_service_group_takes_the_offsets_of_its_topic_groups_where_it_has_none() -> None:
    earlier = {
        f"svc.{PROFILE}": {TopicPartition(PROFILE, 0): 7, TopicPartition(PROFILE, 1): -1},
        f"svc.{CASE}": {TopicPartition(CASE, 0): 3, TopicPartition(CASE, 1): 9},
    }
    own = {"svc": {TopicPartition(CASE, 1): 12}}  # read since: its own offset stands
    admin = Groups({**earlier, **own}, NoError)
    assert adopt_offsets(cast(KafkaAdminClient, admin), "svc", set(earlier)) == 2
    assert admin.altered == {TopicPartition(PROFILE, 0): 7, TopicPartition(CASE, 0): 3}
    admin = Groups({"svc": {TopicPartition(PROFILE, 0): 8}}, NoError)
    assert adopt_offsets(cast(KafkaAdminClient, admin), "svc", {f"svc.{PROFILE}"}) == 0


def test_a_group_another_replica_joined_keeps_its_offsets_and_a_loading_one_is_tried_again() -> (
    None
):
    committed = {f"svc.{PROFILE}": {TopicPartition(PROFILE, 0): 7}}
    joined = Groups(committed, UnknownMemberIdError)
    assert adopt_offsets(cast(KafkaAdminClient, joined), "svc", {f"svc.{PROFILE}"}) == 0
    loading = Groups(committed, CoordinatorLoadInProgressError)
    with pytest.raises(CoordinatorLoadInProgressError):
        adopt_offsets(cast(KafkaAdminClient, loading), "svc", {f"svc.{PROFILE}"})


class Steps(KafkaClient):
    """A Kafka consumer that notes when it is subscribed, then loses its broker at the poll."""

    def __init__(self, steps: list[str]) -> None:
        self.steps = steps

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.steps.append("subscribed")

    def poll(self, timeout_ms: int) -> dict[Any, list[Any]]:
        raise KafkaConnectionError("the broker went away")


class LoadingFirst(Groups):
    """The offsets' coordinator is loading at the first look, ready at the next."""

    def __init__(self, steps: list[str]) -> None:
        super().__init__({f"eligibility.{PROFILE}": {TopicPartition(PROFILE, 0): 7}}, NoError)
        self.steps = steps

    def list_group_offsets(self, specs: dict[str, None]) -> dict[str, dict[TopicPartition, Any]]:
        if "loading" not in self.steps:
            self.steps.append("loading")
            raise CoordinatorLoadInProgressError("loading")
        return super().list_group_offsets(specs)

    def close(self) -> None:
        self.steps.append("admin closed")


def test_the_offsets_are_taken_over_once_before_the_first_join_however_often_it_is_tried() -> None:
    """A coordinator not ready makes the consumer give up that try (the admin client closed, no
    subscription); the next try takes the offsets over, then joins; a later consumer only joins."""
    steps: list[str] = []
    admin = LoadingFirst(steps)
    consumer = make_consumer(Handler())
    consumer._admin_factory = lambda: cast(KafkaAdminClient, admin)
    run_until_third(consumer, lambda: Steps(steps))
    assert steps[:5] == ["loading", "admin closed", "admin closed", "subscribed", "subscribed"]
    assert admin.altered == {TopicPartition(PROFILE, 0): 7}
    assert "broker went away" in consumer.health.reason
