"""A fresh database on the PostgreSQL server at 127.0.0.1:5432, dropped afterwards; the test
is skipped, saying why, where there is no such server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_database() -> Iterator[str]:
    """Yields the URL of a new, empty database."""
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = f"digest_{uuid.uuid4().hex[:12]}"
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
    except (sa.exc.OperationalError, ImportError) as exc:
        pytest.skip(
            f"PostgreSQL at 127.0.0.1:5432 is not reachable ({type(exc).__name__}); "
            "these cases run where it is"
        )
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
