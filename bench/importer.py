"""Stack Exchange import benchmark (issue 4): ``import_stackexchange`` on the shared dump and on one ten times as big.

``make_dump`` writes a dump ``copies`` times the size of ``../shared/datasets/quantumcomputing`` by repeating its
rows with new ids: copy ``k`` adds ``k * 1,000,000`` to every id and every reference to one (``Id``, ``PostId``,
``ParentId``, ``AcceptedAnswerId``, ``UserId``, ``OwnerUserId``, ``LastEditorUserId``, ``RelatedPostId``,
``ExcerptPostId``, ``WikiPostId``); tag names, texts and dates stay the same (ten copies of the site's first six
months, interleaved in time). It streams: one row in memory at a time, whatever the number of copies.

``time_import`` runs the management command in a child process (``python -m bench.importer --child ...``) on a
fresh database — a new SQLite file in a temporary folder, or a PostgreSQL database dropped and created again —
and reads the child's peak resident memory from ``os.wait4`` (the kernel's ``ru_maxrss`` of that process alone).
The child reports the importer's own statistics (``ImportStats``) and the wall time of ``call_command``.

Run it with ``bench/run.py --only importer`` (see there); ``--write`` records it in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.etree.ElementTree import iterparse
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "datasets" / "quantumcomputing"
SITE = "quantumcomputing"
SLUG = "bench-import"
OFFSET = 1_000_000
ID_FIELDS = (
    "Id", "PostId", "ParentId", "AcceptedAnswerId", "UserId", "OwnerUserId", "LastEditorUserId", "RelatedPostId",
    "ExcerptPostId", "WikiPostId",
)
TARGET_POSTS_PER_SECOND = 2000
TARGET_PEAK_MB = 300
SECTION = "## Stack Exchange import (issue 4)"
ENTRIES_MARKER = "<!-- bench/run.py adds each new import run below this line, newest first. -->"
# Attribute values keep their newlines and tabs (a parser would turn raw ones into spaces).
_ENTITIES = {'"': "&quot;", "\n": "&#xA;", "\r": "&#xD;", "\t": "&#x9;"}


def dataset_dir() -> Path | None:
    """The shared dump, or None (``PRACTICA_DATASETS_DIR`` may point elsewhere, as for the settings)."""
    base = os.environ.get("PRACTICA_DATASETS_DIR")
    folder = Path(base) / "quantumcomputing" if base else DATASET
    return folder if (folder / "Posts.xml").is_file() else None


# --- The dump -----------------------------------------------------------------------------------------


@dataclass
class Dump:
    folder: Path
    copies: int
    rows: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    seconds: float = 0.0
    questions: int = 0
    answers: int = 0


def make_dump(source: Path, target: Path, copies: int, *, log: Callable[[str], None] = print) -> Dump:
    """Write ``copies`` copies of every XML file of ``source`` into ``target`` (see the module's docstring)."""
    started = time.perf_counter()
    target.mkdir(parents=True, exist_ok=True)
    dump = Dump(folder=target, copies=copies)
    for path in sorted(source.glob("*.xml")):
        count = 0
        with (target / path.name).open("w", encoding="utf-8", buffering=1 << 20) as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n')
            root = ""
            for k in range(copies):
                shift = k * OFFSET
                for event, element in iterparse(path, events=("start", "end")):
                    if event == "start":
                        if not root:
                            root = element.tag
                            out.write(f"<{root}>\n")
                        continue
                    if element.tag != "row":
                        continue
                    attributes = element.attrib
                    if shift:
                        for name in ID_FIELDS:
                            value = attributes.get(name)
                            if value is not None and value.lstrip("-").isdigit():
                                attributes[name] = str(int(value) + shift)
                    if path.name == "Posts.xml":
                        kind = attributes.get("PostTypeId")
                        dump.questions += kind == "1"
                        dump.answers += kind == "2"
                    out.write(
                        "  <row "
                        + " ".join(f'{name}="{escape(value, _ENTITIES)}"' for name, value in attributes.items())
                        + " />\n"
                    )
                    element.clear()
                    count += 1
            out.write(f"</{root}>\n")
        dump.rows[path.name] = count
    dump.bytes = sum(p.stat().st_size for p in target.glob("*.xml"))
    dump.seconds = time.perf_counter() - started
    log(
        f"  dump x{copies}: {dump.bytes / 1e6:,.0f} MB in {dump.seconds:.1f} s — "
        + ", ".join(f"{name.removesuffix('.xml')} {n:,}" for name, n in dump.rows.items())
    )
    return dump


# --- Databases ----------------------------------------------------------------------------------------


def import_database_url(url: str) -> str:
    """The database the import benchmark may drop and create: the given one, with ``_import`` appended to its name
    unless the name already says ``import`` (``.../practica_bench`` -> ``.../practica_bench_import``)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "practica_bench"
    if "import" not in name:
        name += "_import"
    return urlunsplit(parts._replace(path="/" + name))


def _masked(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]+@", r"\1***@", url)


def _pg_admin(url: str) -> Any:
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username, password=parts.password,
        dbname="postgres", autocommit=True,
    )


def _pg_only_benchmark_data(url: str) -> bool:
    """True if the database holds nothing but what an import benchmark left (or nothing at all)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT to_regclass('accounts_user') IS NOT NULL"
            ).fetchone()
            if not row or not row[0]:
                return True
            others = conn.execute("SELECT count(*) FROM accounts_user WHERE external_id NOT LIKE 'se:%%'").fetchone()
            return bool(others) and others[0] == 0
    except psycopg.OperationalError:
        return True  # does not exist yet


def pg_recreate(url: str, *, force: bool) -> None:
    """Drop (if it is the benchmark's own, or ``force``) and create the database of ``url``."""
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"Refusing an unusual database name: {name!r}")
    if not force and not _pg_only_benchmark_data(url):
        raise SystemExit(
            f"The database {name} holds accounts that an import benchmark did not make. Use a dedicated database, "
            "or pass --flush to let the benchmark drop and create it (destroys its data)."
        )
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def pg_drop(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with _pg_admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    return f"{row[0] if row else '?'}|{size[0] if size else '?'}"


# --- One timed import ---------------------------------------------------------------------------------


@dataclass
class ImportRun:
    engine: str
    copies: int
    dump_mb: float
    wall_seconds: float
    stats: dict[str, Any]
    posts_per_second_steps: float
    peak_mb: float
    setup_peak_mb: float
    database_size: str
    cpu_seconds: float = 0.0
    load: str = ""
    second_run_created: int | None = None
    second_run_seconds: float | None = None
    profile: str = ""

    @property
    def posts(self) -> int:
        created = self.stats["created"]
        return int(created.get("questions", 0)) + int(created.get("answers", 0))

    @property
    def total_created(self) -> int:
        return sum(int(v) for v in self.stats["created"].values())

    @property
    def import_seconds(self) -> float:
        return float(self.stats["seconds_exact"])

    @property
    def posts_per_second_overall(self) -> float:
        return self.posts / self.import_seconds if self.import_seconds else 0.0

    @property
    def objects_per_second(self) -> float:
        return self.total_created / self.import_seconds if self.import_seconds else 0.0


def _child_env(*, database_url: str | None, var_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    if var_dir is not None:
        env["PRACTICA_VAR_DIR"] = str(var_dir)
    env.setdefault("DEBUG", "0")
    env.setdefault("PRACTICA_TESTING", "1")
    env.setdefault("ALLOWED_HOSTS", "localhost")
    env.setdefault("SECRET_KEY", "bench-import-" + os.urandom(16).hex())
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _spawn(args: list[str], env: dict[str, str]) -> tuple[int, float, float]:
    """Run ``python -m bench.importer --child ...``; returns (exit status, peak RSS in MB, CPU seconds) of that
    process alone (``wait4``)."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.importer", "--child", *args], cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss: kilobytes


def _load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def time_import(
    dump: Dump, *, engine: str, database_url: str | None = None, force: bool = False, second_run: bool = False,
    profile: bool = False, keep: bool = False, log: Callable[[str], None] = print,
) -> ImportRun:
    """Import ``dump`` into a fresh database in a child process and measure it."""
    var_dir = None
    if engine == "sqlite":
        var_dir = Path(tempfile.mkdtemp(prefix="se-import-bench-db-"))
    else:
        assert database_url
        pg_recreate(database_url, force=force)
    env = _child_env(database_url=database_url if engine == "postgresql" else None, var_dir=var_dir)
    work = Path(tempfile.mkdtemp(prefix="se-import-bench-out-"))
    try:
        status, _, _ = _spawn(["--migrate"], env)
        if status:
            raise SystemExit(f"migrate failed (exit {status})")
        result_path = work / "result.json"
        args = [str(dump.folder), "--json", str(result_path)]
        if profile:
            args += ["--profile", str(work / "import.prof")]
        log(f"  import x{dump.copies} on {engine}: running (progress lines from the command follow)")
        load_before = _load()
        status, peak_mb, cpu_seconds = _spawn(args, env)
        if status:
            raise SystemExit(f"the import failed (exit {status})")
        result = json.loads(result_path.read_text())
        run = ImportRun(
            engine=engine, copies=dump.copies, dump_mb=dump.bytes / 1e6, wall_seconds=result["wall_seconds"],
            stats=result["stats"], posts_per_second_steps=result["posts_per_second"], peak_mb=peak_mb,
            setup_peak_mb=result["setup_peak_kb"] / 1024, database_size="", cpu_seconds=cpu_seconds,
            load=f"{load_before} → {_load()}",
        )
        if profile:
            run.profile = _profile_summary(work / "import.prof")
        if second_run:
            second_path = work / "second.json"
            status, _, _ = _spawn([str(dump.folder), "--json", str(second_path)], env)
            if status:
                raise SystemExit(f"the second import failed (exit {status})")
            second = json.loads(second_path.read_text())
            run.second_run_created = sum(int(v) for v in second["stats"]["created"].values())
            run.second_run_seconds = second["wall_seconds"]
        if engine == "sqlite":
            assert var_dir is not None
            size = sum(p.stat().st_size for p in var_dir.glob("practica.sqlite3*"))
            run.database_size = f"{size / 1e6:,.0f} MB"
        else:
            assert database_url
            run.database_size = pg_version(database_url).split("|")[1]
        return run
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if var_dir is not None and not keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        elif var_dir is not None:
            log(f"  kept {var_dir}")


def _profile_summary(path: Path, limit: int = 25) -> str:
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


def describe(run: ImportRun) -> str:
    created = run.stats["created"]
    steps = ", ".join(f"{k} {v:.1f}" for k, v in run.stats["step_seconds"].items())
    lines = [
        f"  {run.engine} x{run.copies}: {run.posts:,} posts ({created.get('questions', 0):,} questions, "
        f"{created.get('answers', 0):,} answers), {run.total_created:,} objects",
        f"    posts/s over the posts step {run.posts_per_second_steps:,.0f}"
        f" (target {TARGET_POSTS_PER_SECOND:,}: {'met' if run.posts_per_second_steps >= TARGET_POSTS_PER_SECOND else 'NOT MET'});"
        f" over the whole import {run.posts_per_second_overall:,.0f}; objects/s {run.objects_per_second:,.0f}",
        f"    import {run.import_seconds:.1f} s, command wall {run.wall_seconds:.1f} s, CPU of the process "
        f"{run.cpu_seconds:.1f} s (load average {run.load}); steps (s): {steps}",
        f"    peak memory {run.peak_mb:,.0f} MB (of which {run.setup_peak_mb:,.0f} MB after loading Django;"
        f" target < {TARGET_PEAK_MB}: {'met' if run.peak_mb < TARGET_PEAK_MB else 'NOT MET'}); database {run.database_size}",
    ]
    if run.second_run_created is not None:
        lines.append(
            f"    second run: {run.second_run_created} new objects in {run.second_run_seconds:.1f} s"
        )
    return "\n".join(lines)


# --- The whole benchmark (called by bench/run.py) -------------------------------------------------------


def machine() -> dict[str, Any]:
    import platform

    import django

    from bench import report

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    commit = report._git("rev-parse", "--short", "HEAD") or "unknown"
    if report._git("status", "--porcelain", "--", "practica"):
        commit += " + uncommitted changes in practica/"
    from datetime import UTC, datetime

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "cpus": f"{usable} CPUs (nproc) — {report._cpu_model()}",
        "memory": report._memory_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_before": report.load_average(),
    }


def run_benchmark(
    *, copies: int, database_url: str | None, force: bool, profile: bool, keep: bool, write: bool, note: str,
    repeat: int = 1, log: Callable[[str], None] = print,
) -> list[ImportRun]:
    import sqlite3

    from bench import report

    source = dataset_dir()
    if source is None:
        log(f"  skipped: the shared dump is absent ({DATASET})")
        return []
    facts = machine()
    engines: list[tuple[str, str | None]] = [("sqlite", None)]
    if database_url:
        engines.append(("postgresql", import_database_url(database_url)))
    versions = {"sqlite": f"SQLite {sqlite3.sqlite_version} (a new file in a temporary folder; WAL, synchronous=NORMAL)"}
    runs: list[ImportRun] = []
    scratch = Path(tempfile.mkdtemp(prefix="se-import-bench-dump-"))
    try:
        dumps = [Dump(folder=source, copies=1)]
        dumps[0].bytes = sum(p.stat().st_size for p in source.glob("*.xml"))
        if copies > 1:
            dumps.append(make_dump(source, scratch / SITE, copies, log=log))
        for engine, url in engines:
            for dump, attempt in ((d, a) for d in dumps for a in range(repeat)):
                run = time_import(
                    dump, engine=engine, database_url=url, force=force, second_run=attempt == 0,
                    profile=profile and dump.copies > 1 and attempt == 0, keep=keep, log=log,
                )
                if engine == "postgresql" and url and "postgresql" not in versions:
                    versions["postgresql"] = (
                        f"PostgreSQL {pg_version(url).split('|')[0]} (database {urlsplit(url).path.lstrip('/')} on "
                        f"{urlsplit(url).hostname}, dropped and created before each run)"
                    )
                runs.append(run)
                log(describe(run))
                if run.profile:
                    log(run.profile)
            if engine == "postgresql" and url and not keep:
                pg_drop(url)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    facts["load_after"] = f"{facts.pop('load_before')} before, {report.load_average()} after"
    if write:
        path = write_results(runs=runs, facts=facts, versions=versions, dumps=dumps, note=note)
        log(f"Recorded in {path.relative_to(ROOT)}")
    return runs


# --- docs/benchmarks.md ---------------------------------------------------------------------------------

SECTION_INTRO = f"""{SECTION}

`import_stackexchange` on the shared Quantum Computing dump (`../shared/datasets/quantumcomputing`: 612
questions, 1,060 answers, 3,413 comments, 3,461 people, 12,560 votes) and on a dump ten times as big that
`bench/importer.py` writes from it (every id shifted by *k* × 1,000,000 in copy *k*; tag names, texts and dates
unchanged). Each import runs in a child process on a fresh database (a new SQLite file; on PostgreSQL a
dedicated database dropped and created again) with `DEBUG` off; peak memory is that process's maximum resident
set size (`ru_maxrss` from `wait4`), Django included. **Targets: at least 2,000 posts (questions and answers) per
second, and under 300 MB of memory on the ten-times dump.**

"Posts/s (posts step)" is the importer's own `ImportStats.posts_per_second`: questions and answers created,
divided by the time of the step that reads Posts.xml and writes threads, posts, revisions and tags. "Posts/s
(whole import)" divides the same number by the whole import (votes, people, badges, comments, links, the
counters and the search index included); "objects/s" counts every object in the command's summary. "CPU" is the
child process's user + system time (Django's start-up included); on a shared machine, wall time above CPU time
is mostly waiting for a core (see the load average) or for the database server.

Run it with:

```sh
.venv/bin/python bench/run.py --only importer --write                      # SQLite only
.venv/bin/python bench/run.py --only importer --write \\
    --database-url postgres://practica:practica@127.0.0.1:5432/practica_bench_import   # and PostgreSQL
.venv/bin/python bench/run.py --only importer --repeat 2                   # each import twice (noisy machine)
.venv/bin/python bench/run.py --only importer --profile                    # cProfile of the ten-times import
```

`PRACTICA_BENCH_POSTGRES=<url>` in the environment does the same as `--database-url`. The PostgreSQL database
must be dedicated to the benchmark: it is dropped and created again for every run (a database with accounts
the benchmark did not make is refused unless `--flush`).

{ENTRIES_MARKER}
"""


def _entry(*, runs: list[ImportRun], facts: dict[str, Any], versions: dict[str, str], dumps: list[Dump], note: str) -> str:
    from bench import report

    engines = " + ".join(sorted({"SQLite" if r.engine == "sqlite" else "PostgreSQL" for r in runs}))
    big = next((d for d in dumps if d.copies > 1), None)
    lines = [
        f"### {facts['date']} · {engines} · commit {facts['commit']}",
        "",
        f"- Command: `{report.command_line()}`",
        f"- Machine: {facts['cpus']}, {facts['memory']} RAM, {facts['os']}; Python {facts['python']}, "
        f"Django {facts['django']}; load average (1/5/15 min) {facts['load_after']}.",
        *[f"- Database: {v}." for v in versions.values()],
    ]
    if big is not None:
        lines.append(
            f"- Ten-times dump: {big.bytes / 1e6:,.0f} MB of XML written in {big.seconds:.1f} s "
            f"({big.questions:,} questions, {big.answers:,} answers; "
            + ", ".join(f"{k.removesuffix('.xml')} {v:,} rows" for k, v in big.rows.items() if k != "Posts.xml")
            + ")."
        )
    lines += [
        "",
        "| Database | Dump | Posts | Posts/s (posts step) | Posts/s (whole import) | Objects/s | Import (s) "
        "| CPU (s) | Load (1 min) | Peak memory | Database size | Second run |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in runs:
        engine = "SQLite" if r.engine == "sqlite" else "PostgreSQL"
        fast = "" if r.posts_per_second_steps >= TARGET_POSTS_PER_SECOND else " ⚠"
        small = "" if r.peak_mb < TARGET_PEAK_MB else " ⚠"
        second = (
            f"{r.second_run_created} new objects, {r.second_run_seconds:.1f} s" if r.second_run_created is not None else "-"
        )
        lines.append(
            f"| {engine} | {'shared (1×)' if r.copies == 1 else f'{r.copies}×'} ({r.dump_mb:,.0f} MB) | {r.posts:,} "
            f"| **{r.posts_per_second_steps:,.0f}**{fast} | {r.posts_per_second_overall:,.0f} "
            f"| {r.objects_per_second:,.0f} | {r.import_seconds:.1f} | {r.cpu_seconds:.1f} | {r.load} "
            f"| **{r.peak_mb:,.0f} MB**{small} "
            f"| {r.database_size} | {second} |"
        )
    lines += ["", "Time per step (s):", ""]
    steps = list(runs[0].stats["step_seconds"]) if runs else []
    lines.append("| Database | Dump | " + " | ".join(steps) + " |")
    lines.append("|---|---|" + "---:|" * len(steps))
    for r in runs:
        engine = "SQLite" if r.engine == "sqlite" else "PostgreSQL"
        lines.append(
            f"| {engine} | {r.copies}× | " + " | ".join(f"{r.stats['step_seconds'].get(s, 0):.2f}" for s in steps) + " |"
        )
    lines += ["", "⚠ marks a number that misses its target."]
    if note:
        lines += ["", f"Notes: {note}"]
    return "\n".join(lines) + "\n"


def write_results(
    *, runs: list[ImportRun], facts: dict[str, Any], versions: dict[str, str], dumps: list[Dump], note: str
) -> Path:
    from bench import report

    entry = _entry(runs=runs, facts=facts, versions=versions, dumps=dumps, note=note)
    doc = report.DOC
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    text = text.replace("\nNo results are recorded yet.\n", "\n")
    if SECTION not in text:
        text = text.rstrip("\n") + "\n\n" + SECTION_INTRO
    if ENTRIES_MARKER not in text:
        start = text.index(SECTION)
        following = text.find("\n## ", start + len(SECTION))
        end = len(text) if following == -1 else following + 1
        text = text[:end].rstrip("\n") + "\n\n" + ENTRIES_MARKER + "\n" + text[end:]
    text = text.replace(ENTRIES_MARKER + "\n", ENTRIES_MARKER + "\n\n" + entry, 1)
    text = re.sub(r"\n{3,}", "\n\n", text)
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)
    return doc


# --- The child process ----------------------------------------------------------------------------------


def child(argv: list[str]) -> int:
    """``python -m bench.importer --child [--migrate | DIR --json OUT [--profile OUT]]``"""
    import argparse
    import resource

    parser = argparse.ArgumentParser(prog="bench.importer --child")
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False, verbosity=0)
        return 0
    from practica.importers import stackexchange

    setup_peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    captured: dict[str, Any] = {}
    original = stackexchange.StackExchangeImporter.run

    def run(self: Any) -> Any:
        stats = original(self)
        captured["stats"] = stats
        return stats

    stackexchange.StackExchangeImporter.run = run  # type: ignore[method-assign]
    command = [args.folder, "--community", SLUG, "--create", "--site", SITE]
    started = time.perf_counter()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(call_command, "import_stackexchange", *command, stdout=sys.stdout, stderr=sys.stderr)
        profiler.dump_stats(str(args.profile))
    else:
        call_command("import_stackexchange", *command, stdout=sys.stdout, stderr=sys.stderr)
    wall = time.perf_counter() - started
    stats = captured["stats"]
    data = stats.as_dict()
    data["seconds_exact"] = stats.seconds
    args.json.write_text(
        json.dumps(
            {
                "stats": data, "posts_per_second": stats.posts_per_second, "wall_seconds": wall,
                "setup_peak_kb": setup_peak_kb,
            }
        )
    )
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    sys.exit(child(sys.argv[2:]))
