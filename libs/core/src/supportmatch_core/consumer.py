"""The consumer runner: one Kafka consumer reads all of a service's topics (ADR 0036), hands each
polled batch to `processing` (each event handled once, retries, dead letters) and commits its
offsets after; its place in the group is `consumer_group`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaAdminClient, KafkaConsumer
from kafka.errors import KafkaError

from supportmatch_core.consumer_group import (
    COMMIT_TIMEOUT_MS,
    STALL_SECONDS,
    JoinTimer,
    Stalled,
    StallWatch,
    adopt_offsets,
    lags_of,
    partitions_known,
)
from supportmatch_core.metrics import CONSUMER_LAG
from supportmatch_core.processing import EventProcessing, Unavailable
from supportmatch_core.workers import Health

log = logging.getLogger(__name__)

# How long a poll waits while no message comes (kafka-python returns at once when one does): the
# loop then checks whether to stop and measures the lag. Longer polls wake the consumer less at
# rest (bench/idle.py).
POLL_MS = 1000


class EventConsumer:
    """Reads the topics of `processing`'s subscriptions in its group and has it handle each
    polled batch; commits the batch's offsets once it is handled."""

    def __init__(
        self,
        processing: EventProcessing,
        *,
        consumer_factory: Callable[[str], KafkaConsumer],
        admin_factory: Callable[[], KafkaAdminClient] | None = None,
    ) -> None:
        self.processing = processing
        self.name = processing.name
        self.topics = list(processing.names())
        self.joined = threading.Event()
        self._consumer_factory = consumer_factory
        self._admin_factory = admin_factory
        self.health = Health()
        self._lag_measured_at = 0.0
        self._lag_every = 5.0
        self._stall_seconds = STALL_SECONDS
        self._offsets_adopted = False

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            consumer = None
            try:
                consumer = self._consumer_factory(self.name)
                if not all(partitions_known(consumer, topic, stop) for topic in self.topics):
                    continue
                self._adopt_offsets()
                names = list(self.processing.names().values())
                consumer.subscribe(
                    self.topics, listener=JoinTimer(names, time.monotonic(), self.joined)
                )
                self._loop(consumer, stop)
            except (KafkaError, OSError) as error:
                self.health.failing(f"broker unreachable: {error!r}")
                log.warning("consumer lost the broker", extra={"error": repr(error)})
                stop.wait(1.0)
            except Stalled as error:
                self.health.failing(f"consumer stalled: {error}")
                log.warning(
                    "consumer stalled; made again",
                    extra={"consumer": self.name, "error": str(error)},
                )
            finally:
                if consumer is not None:
                    consumer.close(autocommit=False)
        self.processing.close()

    def _adopt_offsets(self) -> None:
        """Once, before the group is first joined: go on where the groups of one topic each
        stopped (see `adopt_offsets`)."""
        if self._offsets_adopted or self._admin_factory is None:
            return  # taken over already, or nothing to take them from (a test's consumer)
        admin = self._admin_factory()
        try:
            adopt_offsets(admin, self.name, set(self.processing.names().values()))
        finally:
            admin.close()
        self._offsets_adopted = True

    def _loop(self, consumer: KafkaConsumer, stop: threading.Event) -> None:
        watch = StallWatch(self._stall_seconds)
        while not stop.is_set():
            # Returns as soon as messages come; the timeout only paces the loop's own checks
            # (stop, lag) while nothing arrives.
            batch = consumer.poll(timeout_ms=POLL_MS)
            if batch:
                watch.progressed()
            self._measure_lag(consumer, watch)
            if not batch:
                continue
            try:
                for messages in batch.values():
                    self.processing.process_batch(messages)
            except Unavailable as error:
                # Rewind every partition of the batch to its first unhandled message: those
                # already handled are recorded as processed and will be skipped.
                for partition, messages in batch.items():
                    consumer.seek(partition, messages[0].offset)
                self.health.failing(f"dependency unavailable: {error}")
                log.warning("dependency unavailable; will retry", extra={"error": str(error)})
                stop.wait(1.0)
                continue
            consumer.commit(timeout_ms=COMMIT_TIMEOUT_MS)
            watch.progressed()
            self.health.ok()

    def _measure_lag(self, consumer: KafkaConsumer, watch: StallWatch) -> None:
        """Set each topic's lag gauge now and then; a consumer that has caught up is healthy,
        one that reads nothing while messages wait raises `Stalled`."""
        now = time.monotonic()
        if now - self._lag_measured_at < self._lag_every:
            return
        self._lag_measured_at = now
        lags = lags_of(consumer)
        lag = None if lags is None else sum(lags.values())
        watch.measured(lag)
        names = self.processing.names()
        for topic, waiting in (lags or {}).items():
            if topic in names:
                CONSUMER_LAG.labels(names[topic]).set(waiting)
        if lag == 0:
            self.health.ok()
