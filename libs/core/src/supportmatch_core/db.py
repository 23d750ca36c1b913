"""Database engines for PostgreSQL and SQLite, and the unit of work that owns one transaction."""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, Table, create_engine, event, literal_column
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url

from supportmatch_core.jsontext import dumps_text

# JSON columns written by orjson: a determination's explanation is written twice (its row and
# its history) and a firm's facts once, for every firm a profile event decides. They are read
# with json, which keeps integers beyond 64 bits (orjson reads them as floats).
_JSON_COLUMNS: dict[str, Any] = {"json_serializer": dumps_text}


def create_database_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for `url` keeping `pool_size` connections open (more are opened and closed as
    needed); SQLite files get WAL, a busy timeout and immediate write locks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=10,
            **_JSON_COLUMNS,
        )
        _tune_sqlite(engine)
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    return create_engine(
        url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, **_JSON_COLUMNS
    )


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A deferred transaction that later writes fails at once under contention; take the
        # write lock up front so the busy timeout applies instead. Reads stay concurrent.
        readonly = connection.get_execution_options().get("readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


# SQLSTATE classes of a server that is away or overloaded: connection exceptions (08),
# insufficient resources (53), operator intervention such as a shutdown (57P).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# A unique or primary-key violation: SQLSTATE 23505, SQLite's extended constraint codes.
_UNIQUE_SQLSTATE = "23505"
_SQLITE_PRIMARY_KEY, _SQLITE_UNIQUE = 1555, 2067


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database is away or busy (try again later), not that the
    statement or the data is wrong; classified by exception class, SQLSTATE and SQLite code."""
    # PendingRollbackError: the connection was lost inside this transaction, and a statement
    # after the loss was refused until the transaction ends.
    if isinstance(
        error, sa_exc.TimeoutError | sa_exc.DisconnectionError | sa_exc.PendingRollbackError
    ):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)  # psycopg: set when the server answered
    if sqlstate:
        return str(sqlstate).startswith(_UNAVAILABLE_SQLSTATES)
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)  # extended codes keep the base
    # No answer from the server at all (refused, reset, closed): the connection failed.
    return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)


def unique_violation(error: BaseException, *, constraint: str | None = None) -> bool:
    """Whether `error` is a unique (or primary key) violation, of `constraint` when named (the
    name PostgreSQL reports; SQLite names none, so there the code alone decides)."""
    if not isinstance(error, sa_exc.IntegrityError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        diagnostic = getattr(error.orig, "diag", None)
        named = getattr(diagnostic, "constraint_name", None)
        return str(sqlstate) == _UNIQUE_SQLSTATE and constraint in (None, named)
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code in (_SQLITE_PRIMARY_KEY, _SQLITE_UNIQUE)


class WriterQueue:
    """This process's writers of one SQLite file, let in one at a time in the order they came.

    SQLite's busy handler retries a waiting writer after sleeps of up to 100 ms, so a thread that
    commits and begins again at once (a consumer working through a backlog) can keep the write
    lock from another (the outbox relay stamping what it sent) for minutes. Here the lock is
    handed to the longest waiter. One that waits longer than `timeout` goes on to SQLite's own
    busy handler, which decides as before."""

    def __init__(self, timeout: float = 30.0) -> None:
        self._timeout = timeout
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        """How many writers wait for their turn."""
        return len(self._waiting)

    @contextmanager
    def turn(self) -> Iterator[bool]:
        """Wait for this writer's turn; yields whether it got it (False: it waited too long)."""
        mine = self._acquire()
        try:
            yield mine
        finally:
            if mine:
                self._release()

    def _acquire(self) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            handed = threading.Event()
            self._waiting.append(handed)
        if handed.wait(self._timeout):
            return True
        with self._mutex:
            if handed.is_set():  # handed over between the timeout and this line
                return True
            self._waiting.remove(handed)
            return False

    def _release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().set()  # still held: now by the one that waited longest
            else:
                self._held = False


# By file, for as long as a unit of work on that file holds its queue.
_WRITERS: weakref.WeakValueDictionary[str, WriterQueue] = weakref.WeakValueDictionary()
_WRITERS_MUTEX = threading.Lock()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The queue of writers of `engine`'s SQLite file, shared by every engine on that file in
    this process; None for PostgreSQL, whose rows are locked one by one."""
    if engine.dialect.name != "sqlite":
        return None
    with _WRITERS_MUTEX:
        queue = _WRITERS.get(str(engine.url.database))
        if queue is None:
            queue = _WRITERS[str(engine.url.database)] = WriterQueue()
        return queue


class UnitOfWork:
    """One transaction: the state change and its outbox rows commit together or not at all."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writers = writer_queue(engine)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        if self._writers is None:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._writers.turn(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(readonly=True) as connection:
            yield connection


W = TypeVar("W")


class WorkUnits(Generic[W]):
    """A service's unit of work: each transaction it opens hands its use cases `work(connection)`,
    the repositories of that transaction; `joined` hands them for a transaction opened elsewhere
    (the event consumer's), so nested work never begins or commits on its own."""

    def __init__(self, engine: Engine, work: Callable[[Connection], W]) -> None:
        self.engine, self._transactions, self._work = engine, UnitOfWork(engine), work

    @contextmanager
    def begin(self) -> Iterator[W]:
        with self._transactions.begin() as connection:
            yield self._work(connection)

    @contextmanager
    def read(self) -> Iterator[W]:
        with self._transactions.read() as connection:
            yield self._work(connection)

    def joined(self, connection: Connection) -> W:
        return self._work(connection)


# Built once per shape: constructing an ON CONFLICT statement costs more than running it.
_STATEMENTS: dict[tuple[object, ...], Any] = {}


def _dialect_insert(connection: Connection, table: Table) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_new(
    connection: Connection,
    table: Table,
    values: dict[str, Any] | list[dict[str, Any]],
    *,
    unique: list[str],
) -> bool:
    """Insert `values` (one row or several) unless a row with the same `unique` columns exists;
    whether a row was inserted.

    For idempotent writes: a replayed event finds its row taken instead of failing the batch.
    """
    one = isinstance(values, dict)
    key = ("insert_new", connection.dialect.name, table, tuple(unique), one)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _dialect_insert(connection, table).on_conflict_do_nothing(index_elements=unique)
        if one:  # psycopg counts -1 rows for the RETURNING SQLAlchemy adds itself: ask for one
            statement = statement.returning(literal_column("1"))
        _STATEMENTS[key] = statement
    result = connection.execute(statement, values)
    return result.first() is not None if one else bool(result.rowcount)


def upsert(
    connection: Connection,
    table: Table,
    values: dict[str, Any] | list[dict[str, Any]],
    *,
    keys: list[str],
) -> None:
    """Insert `values` (one row or several of the same columns, each key once), or update the
    row with the same `keys` to them."""
    columns = tuple(values if isinstance(values, dict) else values[0])
    key = ("upsert", connection.dialect.name, table, tuple(keys), columns)
    statement = _STATEMENTS.get(key)
    if statement is None:
        base = _dialect_insert(connection, table)
        updates = {name: base.excluded[name] for name in columns if name not in keys}
        statement = base.on_conflict_do_update(index_elements=keys, set_=updates)
        _STATEMENTS[key] = statement
    connection.execute(statement, values)
