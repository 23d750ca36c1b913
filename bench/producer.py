"""Producer benchmark: events a second one outbox relay's producer sends, by event size.

Starts an embedded Tansu broker on loopback and sends, with the relay's settings (idempotent,
`acks=all`), rounds of 500 events followed by a flush, as `OutboxRelay` does. It prints which
CRC-32C kafka-python uses: without the `crc32c` C extension it computes the checksum of every
record batch in pure Python, and large events (a determination event is about 4.6 KB) slow down.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.record import util as record_util

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from supportmatch_core.broker import EmbeddedBroker
from tests.ports import free_port

ROUND = 500


def events_per_second(address: str, size: int, rounds: int, batch_bytes: int) -> float:
    producer = KafkaProducer(
        bootstrap_servers=address,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        batch_size=batch_bytes,
    )
    payload = b"x" * size
    try:
        producer.send("bench.producer", value=payload).get(timeout=30)  # metadata, connection
        started = time.perf_counter()
        for _ in range(rounds):
            sent = [
                producer.send("bench.producer", key=b"%d" % i, value=payload) for i in range(ROUND)
            ]
            producer.flush(timeout=60)
            for future in sent:
                future.get(timeout=0)
        return rounds * ROUND / (time.perf_counter() - started)
    finally:
        producer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,4600", help="event sizes in bytes, comma-separated")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of 500 events per size")
    parser.add_argument(
        "--partitions", type=int, default=3, help="of the topic (3: KAFKA_TOPIC_PARTITIONS)"
    )
    parser.add_argument(
        "--batch-kib",
        default="16,256",
        help="the producer's record batch sizes to compare, KiB (16: kafka-python's default)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    crc = "C extension (crc32c)" if record_util.crc32c_c is not None else "pure Python"
    print(f"kafka-python's CRC-32C: {crc}")
    with tempfile.TemporaryDirectory(prefix="bench-producer-") as tmp:
        address = f"127.0.0.1:{free_port()}"
        broker = EmbeddedBroker(address, log_file=Path(tmp) / "broker.log")
        broker.start()
        try:
            admin = KafkaAdminClient(bootstrap_servers=address)
            admin.create_topics([NewTopic("bench.producer", args.partitions, 1)])
            admin.close()
            for batch in [int(kib) * 1024 for kib in args.batch_kib.split(",")]:
                print(f"record batches of up to {batch // 1024} KiB:")
                for size in sizes:
                    rate = events_per_second(address, size, args.rounds, batch)
                    mb = rate * size / 1e6
                    print(f"  {size:>6} bytes: {rate:8.0f} events/s, {mb:6.2f} MB/s")
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
