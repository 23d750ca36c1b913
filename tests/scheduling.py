"""How `make test` spreads tests over xdist workers: one at a time to whichever worker is free,
except that the tests sharing a costly server go together to one worker."""

from __future__ import annotations

import re

from xdist.scheduler import LoadScopeScheduling

# A broker_kind parameter of "apache" in a test id such as `test_x[apache-postgres]`.
_ON_APACHE = re.compile(r"\[(.*-)?apache(-.*)?\]$")


def shared_server(nodeid: str) -> str | None:
    """The costly servers a test belongs with, if any: Apache Kafka nodes (300-500 MB and a JVM
    start each, one per test or the session's), kept from starting side by side on 2 cores, or
    the running system and chromium of the browser tests."""
    path = nodeid.partition("::")[0]
    if path.startswith("tests/browser/"):
        return "browser"
    if path.startswith("tests/integration/test_apache_kafka") or _ON_APACHE.search(nodeid):
        return "apache-kafka"
    return None


class SharedServerScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist has no types
    """xdist's scope scheduling with each test a scope of its own but for the shared servers'
    groups, which are sent first as they run longest."""

    def _split_scope(self, nodeid: str) -> str:
        return shared_server(nodeid) or nodeid
