"""Machine facts and the Markdown written to docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Discussions (issue 3)"
ENTRIES_MARKER = "<!-- bench/run.py adds each new discussions run below this line, newest first. -->"
TARGET_MS = 50.0


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    return "unknown"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def machine_facts() -> dict[str, Any]:
    import django
    from django.db import connection

    vendor = connection.vendor
    if vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version} (a file in a temporary folder; WAL, synchronous=NORMAL)"
    elif vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        settings = connection.settings_dict
        database = f"PostgreSQL {version} (database {settings['NAME']} on {settings.get('HOST') or 'local socket'})"
    else:
        database = vendor
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    if _git("status", "--porcelain", "--", "practica"):
        commit += " + uncommitted changes in practica/"
    return {
        "vendor": vendor,
        "database": database,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "cpus": f"{usable} CPUs (nproc) — {_cpu_model()}",
        "memory": _memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def database_size() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        size = sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.exists())
        return f"{size / 1e6:,.0f} MB"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return str(cursor.fetchone()[0])
    return "n/a"


def command_line() -> str:
    """The command as it was typed (without the interpreter's path prefix), with any password masked."""
    args = [re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", a) for a in sys.argv[1:]]
    # The virtualenv it ran in (``.venv``, or ``.venv-semantic`` for the semantic extra), relative to the checkout.
    venv = Path(sys.prefix)
    python = f"{venv.name}/bin/python" if venv.parent == ROOT else ".venv/bin/python"
    if venv.name == ".venv-semantic":
        python = f"HF_HUB_OFFLINE=1 {python}"
    return " ".join([f"{python} bench/run.py", *(shlex.quote(a) for a in args)])


def _fmt(ms: float) -> str:
    return f"{ms:.1f}"


def discussions_entry(
    *, machine: dict[str, Any], migrate_seconds: float, build: Any, analyze_seconds: float, results: list[Any],
    note: str, requests: int = 50, warmup: int = 5,
) -> str:
    engine = "SQLite" if machine["vendor"] == "sqlite" else "PostgreSQL" if machine["vendor"] == "postgresql" else machine["vendor"]
    counts = build.counts
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in build.phases.items())
    analyze_name = "VACUUM ANALYZE" if machine["vendor"] == "postgresql" else "ANALYZE"
    limit = " (limit 180 s)" if machine["vendor"] == "sqlite" else ""
    lines = [
        f"### {machine['date']} · {engine} · commit {machine['commit']}",
        "",
        f"- Command: `{command_line()}`",
        f"- Machine: {machine['cpus']}, {machine['memory']} RAM, {machine['os']}; Python {machine['python']}, "
        f"Django {machine['django']}; load average (1/5/15 min) {machine['load_before']} before timing, "
        f"{machine['load_after']} after.",
        f"- Database: {machine['database']}; {machine['database_size']} after the build.",
        f"- Data: {counts['threads']:,} threads, {counts['posts']:,} posts ({counts['replies']:,} replies), "
        f"{counts['users']:,} people, {counts['other communities']} other (empty) communities, "
        f"{counts['thread tags']:,} thread tags, {counts['votes']:,} votes, "
        f"{counts['comments']:,} comments; the unheard queue holds {counts['unheard (queue size)']:,} threads.",
        f"- Build: **{build.seconds:.1f} s**{limit} ({phases}); before it `migrate` {migrate_seconds:.1f} s, "
        f"after it {analyze_name} {analyze_seconds:.1f} s. Every counter checked against the rows: all agree.",
        "",
        "| Page (signed in as the coordinator unless said) | Median (ms) | p95 (ms) | CPU median (ms) | SQL queries | SQL time (ms) | Response |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        if r.status != "ok":
            lines.append(f"| {r.name}: `{r.url}` | - | - | - | - | - | {r.status} |")
            continue
        flag = " ⚠" if machine["vendor"] == "sqlite" and not r.name.startswith("API") and r.median_ms > TARGET_MS else ""
        lines.append(
            f"| {r.name}: `{r.url}` | {_fmt(r.median_ms)}{flag} | {_fmt(r.p95_ms)} | {_fmt(r.cpu_median_ms)} | "
            f"{r.queries} | {r.sql_ms:.0f} | {r.bytes / 1024:.0f} KB, {r.check or 'HTTP 200'} |"
        )
    lines += [
        "",
        f"Median and p95 (nearest rank) of {requests} timed requests after {warmup} untimed ones. CPU median is the "
        "benchmark process's own CPU time per request (wall time minus waiting for the CPU, the disk or PostgreSQL; "
        "on a busy machine it is the steadier number). SQL queries and SQL time are those of one request, as "
        "Django's query log reports them (whole milliseconds; on SQLite it leaves out fetching the rows). "
        "⚠ marks a page above the 50 ms target.",
    ]
    if note:
        lines += ["", f"Changes since the previous entry: {note}"]
    return "\n".join(lines) + "\n"


SECTION_INTRO = f"""{SECTION}

One community with 100,000 threads and 500,000 posts (100,000 opening posts and 400,000 replies) among nine small
neighbours, built in bulk by `bench/discussions.py` (its docstring describes the data), then the server time of
three pages — the thread list (page 1, sorted by latest activity), a question with 200 replies (each with a
comment) and the unheard queue (page 1) — signed in as the coordinator; the first two also as an ordinary member,
and the thread API endpoints when they exist. **Target on SQLite: each page under 50 ms median; the build under
3 minutes.**

Run it with:

```sh
.venv/bin/python bench/run.py --only discussions --write          # SQLite, in a fresh temporary folder
.venv/bin/python bench/run.py --only discussions --write \\
    --database-url postgres://practica:practica@127.0.0.1:5432/practica_bench   # a dedicated, empty database
.venv/bin/python bench/run.py --only discussions --scale 0.02     # a smoke run of a few seconds (not recorded)
```

`make bench` runs the same at full size on SQLite without recording; `--explain` prints every query of each page
with its plan (`EXPLAIN QUERY PLAN`, or `EXPLAIN ANALYZE` on PostgreSQL).

How it measures: Django's test `Client` in the same process (no web server, no network), `DEBUG` off, signed in
as the community's coordinator so each page takes its heaviest path (hidden threads, moderation forms, the unheard
count); `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`) runs after the build and before the timing. The client keeps one
database connection for all requests, as a server with `DATABASE_CONN_MAX_AGE` > 0 does. The machines these
numbers come from are shared with other work and noisy: compare medians of runs made close together, and read p95
as "how bad a hiccup gets", not as a property of the code.

{ENTRIES_MARKER}
"""


def write_discussions(
    *, args: Any, machine: dict[str, Any], migrate_seconds: float, build: Any, analyze_seconds: float, results: list[Any]
) -> Path:
    """Add the run to docs/benchmarks.md under the discussions section, newest first; keep everything else."""
    entry = discussions_entry(
        machine=machine, migrate_seconds=migrate_seconds, build=build, analyze_seconds=analyze_seconds,
        results=results, note=args.note, requests=args.requests, warmup=args.warmup,
    )
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    text = text.replace("\nNo results are recorded yet.\n", "\n")
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + SECTION_INTRO
    if ENTRIES_MARKER not in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        end = len(text) if following == -1 else following + 1
        text = text[:end].rstrip("\n") + "\n\n" + ENTRIES_MARKER + "\n" + text[end:]
    marker_end = text.index(ENTRIES_MARKER) + len(ENTRIES_MARKER)
    rest = text[marker_end:].lstrip("\n")
    text = text[:marker_end] + "\n\n" + entry + ("\n" + rest if rest else "")
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)
    return DOC
