"""Idle-consumer benchmark: the CPU that kafka-python consumers cost while no message comes.

Starts an embedded Tansu broker, runs --consumers consumers made as the services make them
(`supportmatch_core.kafka.create_consumer`, each in a group of its own, each reading one topic;
one consumer reads every event topic), each polling every --poll-ms as the consumer loop does,
lets them settle for --settle seconds and prints the CPU this process used over --seconds.
"""

from __future__ import annotations

import argparse
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supportmatch_core.broker import EmbeddedBroker
from supportmatch_core.kafka import create_consumer
from supportmatch_core.settings import ServiceSettings
from supportmatch_core.topics import CASE, DETERMINATION, MEASURE, PROFILE
from tests.ports import free_port

TOPICS = [DETERMINATION, PROFILE, MEASURE, CASE]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--consumers", type=int, default=1)
    parser.add_argument("--session-ms", type=int, default=2000, help="the embedded broker's")
    parser.add_argument("--poll-ms", type=int, default=1000)
    parser.add_argument("--settle", type=float, default=15)
    parser.add_argument("--seconds", type=float, default=30)
    options = parser.parse_args()
    if options.consumers < 1 or options.poll_ms < 1:
        parser.error("--consumers and --poll-ms must be at least 1")
    broker = EmbeddedBroker(f"127.0.0.1:{free_port()}")
    broker.start()
    stop = threading.Event()
    try:
        settings = ServiceSettings(
            service_name="bench",
            kafka_bootstrap_servers=broker.address,
            kafka_session_timeout_ms=options.session_ms,
        )

        def consume(index: int) -> None:
            consumer = create_consumer(settings, group=f"bench-{index}")
            topics = TOPICS if options.consumers == 1 else [TOPICS[index % len(TOPICS)]]
            consumer.subscribe(topics)
            while not stop.is_set():
                consumer.poll(timeout_ms=options.poll_ms)
            consumer.close()

        threads = [threading.Thread(target=consume, args=(i,)) for i in range(options.consumers)]
        for thread in threads:
            thread.start()
        time.sleep(options.settle)
        used, started = cpu_seconds(), time.monotonic()
        time.sleep(options.seconds)
        share = (cpu_seconds() - used) / (time.monotonic() - started)
        print(
            f"{options.consumers} consumer(s), session {options.session_ms} ms, "
            f"poll {options.poll_ms} ms: {100 * share:.2f} % of a core"
        )
    finally:
        stop.set()
        broker.stop()


if __name__ == "__main__":
    main()
