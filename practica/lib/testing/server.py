"""A real Practica server for the tests that need several processes: gunicorn with worker processes on a real
database that the test, the server and small set-up scripts all open.

SQLite: a file database migrated for the test module. PostgreSQL: the pytest-django test database itself (the
tests use ``django_db(transaction=True)``, so the server sees what they set up). Skipped with the reason when
gunicorn cannot start, except in CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
REQUIRED = bool(os.environ.get("CI"))
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def skip_or_fail(message: str) -> None:
    if REQUIRED:
        pytest.fail(f"{message} (CI is set: this suite must run)")
    pytest.skip(message)


def postgres_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def environment(database_url: str, var_dir: Path, **overrides: str) -> dict[str, str]:
    """The server's environment: production-like (DEBUG off), this database and var folder, nothing of the
    test run's own settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "PRACTICA_TESTING", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "RATE_LIMITS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="practica.settings",
        DATABASE_URL=database_url,
        PRACTICA_VAR_DIR=str(var_dir),
        DEBUG="0",  # as in production: no query log, no debug pages
        SECRET_KEY="test-server-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        PRACTICA_TASK_BACKEND="immediate",
        EMAIL_URL="dummy://",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def run_python(script: str, env: dict[str, str], *args: str, stdin: str = "") -> Any:
    """Run a set-up or check script with the server's environment; returns the JSON of its last line."""
    result = subprocess.run(  # noqa: S603 - our interpreter running the test's own script
        [sys.executable, "-c", script, *args],
        cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, f"script failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def migrated_database(folder: Path) -> str:
    """A database the server and the test can both open: PostgreSQL's test database, or on SQLite a file copy of
    the (migrated, empty) in-memory test database — ``VACUUM INTO`` takes a fraction of a second where running the
    migrations again takes half a minute. Call it with database access (``django_db_blocker.unblock()``)."""
    if connection.vendor == "postgresql":
        return postgres_url()
    path = folder / "db.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    return f"sqlite:///{path}"


def empty_the_test_database() -> None:
    """What a transactional test does after it: on PostgreSQL the server wrote into the test database itself, and
    later tests expect it empty. Call it with database access."""
    if connection.vendor == "postgresql":
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection (gunicorn hands each connection to whichever worker accepts it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    access_log: Path
    env: dict[str, str]

    def workers(self) -> list[int]:
        """Pids of the master's children (gunicorn's workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            return [int(pid) for pid in children.read_text().split()]
        return []

    def served_by(self) -> list[int]:
        """The worker pid of each request answered so far, in order (the access log's lines)."""
        if not self.access_log.exists():
            return []
        return [int(line.split()[0].strip("<>")) for line in self.access_log.read_text().splitlines() if line.strip()]

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, and how many times each exception was logged."""
        text = self.log.read_text(errors="replace")
        errors = Counter(re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception|Violation)\b[^\n]{0,120})", text, re.M))
        counted = "\n".join(f"{n} × {error}" for error, n in errors.most_common(10))
        return "\n".join(text.splitlines()[-lines:]) + f"\n--- exceptions logged:\n{counted}"


@contextmanager
def gunicorn(database_url: str, folder: Path, *, workers: int, **env_overrides: str) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on ``database_url``, on a free local port, until the block ends."""
    if importlib.util.find_spec("gunicorn") is None:
        skip_or_fail("gunicorn is not installed in this environment")
    port = free_port()
    env = environment(database_url, folder, **env_overrides)
    log, access_log = folder / "gunicorn.log", folder / "access.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our interpreter running gunicorn, fixed arguments
            [
                sys.executable, "-m", "gunicorn", "practica.wsgi:application",
                "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                "--graceful-timeout", "5", "--access-logfile", str(access_log),
                "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",  # the worker's pid first
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    running = Server(port=port, process=process, log=log, access_log=access_log, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                skip_or_fail(f"gunicorn could not start:\n{running.log_tail()}")
            try:
                status, _, _ = request(port, "GET", "/healthz")
                if status == 200 and len(running.workers()) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                skip_or_fail(f"gunicorn did not answer within 30 s:\n{running.log_tail()}")
            time.sleep(0.1)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
