"""Throwaway databases for tests: empty, or copied from a template migrated once per test process."""

from __future__ import annotations

import queue
import sqlite3
import threading
import uuid
import warnings
from contextlib import closing
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from supportmatch_core.migrate import upgrade_to_head


def _create(server: str, name: str, *, template: str | None = None) -> None:
    # Page by page through the WAL (PostgreSQL 15's default), not STRATEGY FILE_COPY: a copy by
    # files waits for two checkpoints, and the workers' copies and drops queue on them
    # (docs/benchmarks.md, the PostgreSQL server's share).
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy}')


def _drop(server: str, name: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Dropper:
    """Drops PostgreSQL databases on a thread of its own: each DROP DATABASE waits for a
    checkpoint, seconds on a server others are writing to, and no test needs to wait for it."""

    def __init__(self, server: str) -> None:
        self.server = server
        self._names: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="drop-databases", daemon=True)
        self._thread.start()

    def drop(self, name: str) -> None:
        self._names.put(name)

    def close(self) -> None:
        """Wait until every database handed over is dropped."""
        self._names.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (name := self._names.get()) is not None:
            try:
                _drop(self.server, name)
            except psycopg.Error as error:  # one left behind must not stop the drops after it
                warnings.warn(f"test database {name} was not dropped: {error}", stacklevel=1)


class Templates:
    """One database per service at the head of its migrations, made on first use in this test
    process (one per xdist worker), which each test then copies instead of migrating."""

    def __init__(self, server: str, folder: Path, dropper: Dropper) -> None:
        self.server, self.folder, self.dropper = server, folder, dropper
        self._postgres: dict[str, str] = {}
        self._sqlite: dict[str, Path] = {}

    def postgres(self, service: str) -> str:
        """The name of the service's migrated template database on the server."""
        if service not in self._postgres:
            name = f"sm_template_{service}_{uuid.uuid4().hex[:10]}"
            _create(self.server, name)
            upgrade_to_head(service, str(make_url(self.server).set(database=name)))
            self._postgres[service] = name
        return self._postgres[service]

    def sqlite(self, service: str) -> Path:
        """The service's migrated SQLite file."""
        if service not in self._sqlite:
            path = self.folder / f"{service}.sqlite3"
            upgrade_to_head(service, f"sqlite:///{path}")
            self._sqlite[service] = path
        return self._sqlite[service]

    def close(self) -> None:
        for name in self._postgres.values():
            self.dropper.drop(name)


class Databases:
    """Creates one database per service for a test, and drops the PostgreSQL ones afterwards."""

    def __init__(self, kind: str, folder: Path, templates: Templates | None = None) -> None:
        """Without `templates` (SQLite only) each migrated database runs the migrations itself."""
        self.kind, self.folder, self.templates = kind, folder, templates
        self._created: list[str] = []

    def url(self, service: str) -> str:
        """An empty database: for tests of the migrations themselves."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.folder / f'{service}.sqlite3'}"
        return self._postgres(service, template=None)

    def migrated(self, service: str) -> str:
        """A database at the head of the service's migrations, as `upgrade_to_head` leaves it."""
        if self.templates is None:
            url = self.url(service)
            upgrade_to_head(service, url)
            return url
        if self.kind == "sqlite":
            path = self.folder / f"{service}.sqlite3"
            # The backup API copies a consistent database whatever its WAL holds.
            with (
                closing(sqlite3.connect(self.templates.sqlite(service))) as source,
                closing(sqlite3.connect(path)) as target,
            ):
                source.backup(target)
            return f"sqlite:///{path}"
        return self._postgres(service, template=self.templates.postgres(service))

    def _postgres(self, service: str, *, template: str | None) -> str:
        assert self.templates is not None, "a PostgreSQL database needs the session's templates"
        name = f"sm_test_{service}_{uuid.uuid4().hex[:10]}"
        _create(self.templates.server, name, template=template)
        self._created.append(name)
        return str(make_url(self.templates.server).set(database=name))

    def drop_all(self) -> None:
        for name in self._created:
            assert self.templates is not None
            self.templates.dropper.drop(name)
