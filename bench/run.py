#!/usr/bin/env python
"""Run Practica's benchmarks and, with ``--write``, append the results to bench/results/*.csv.

    .venv/bin/python bench/run.py                                  # everything, full size, SQLite
    .venv/bin/python bench/run.py --only discussions --write       # issue 3's numbers, recorded
    .venv/bin/python bench/run.py --scale 0.02                     # a smoke run (seconds)
    .venv/bin/python bench/run.py --database-url postgres://practica:practica@127.0.0.1:5432/practica_bench
    .venv/bin/python bench/run.py --only importer --write          # issue 4's numbers (Stack Exchange import)
    .venv/bin/python bench/run.py --only search --write            # issue 5's numbers (search, related, experts)
    .venv/bin/python bench/run.py --only digests --write           # issue 7's numbers (email digests)

On SQLite it works in a fresh temporary folder (``PRACTICA_VAR_DIR``), so it never touches the demo database;
the folder is deleted at the end unless ``--keep``. A ``DATABASE_URL`` in the environment is ignored: only
``--database-url`` chooses another database, and it must be a dedicated one — the run refuses a database that
already holds accounts unless ``--flush`` (which empties it) or ``--reuse`` (which times the data a previous run
left there).

The import benchmark (``--only importer``, see bench/importer.py) works in databases of its own: a new SQLite
file per run, and with ``--database-url`` (or ``PRACTICA_BENCH_POSTGRES``) a PostgreSQL database named after the
given one with ``_import`` appended, dropped and created again before every run.

The search benchmark (``--only search``, see bench/search.py) builds the discussions data with varied words added
(so it is not run together with ``discussions``, and not by default), rebuilds the search index and times search,
related threads and expert finding; with ``--database-url`` it creates the database if it does not exist.

Pages run with ``DEBUG`` off, through Django's test ``Client`` (no network, no web server: the numbers are the
time Django takes from request to response, including the middleware, the queries and the templates).

``--write`` appends one row per measured figure to ``bench/results/<benchmark>.csv`` (date, commit, database,
extra, benchmark, metric, value, unit, note) and one row per run and database to ``bench/results/runs.csv``
(the command, the machine, the software, the data, ``--note``). It never edits docs/benchmarks.md: the current
figures there are updated by hand from these rows (see that document).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCHMARKS = ("discussions", "importer")  # run when no --only is given
OPTIONAL_BENCHMARKS = ("search", "digests", "insights")  # only when asked for


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=BENCHMARKS + OPTIONAL_BENCHMARKS, help="run only this benchmark (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the data set, e.g. 0.02 for a smoke run")
    parser.add_argument("--database-url", help="run on this database (PostgreSQL) instead of a temporary SQLite file")
    parser.add_argument("--write", action="store_true", help="append the results to bench/results/*.csv (scale 1 only)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--explain", action="store_true", help="print every query of each page with its plan")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    parser.add_argument("--var-dir", type=Path, help="use this folder instead of a temporary one (SQLite)")
    parser.add_argument("--reuse", action="store_true", help="time the data a previous run left (no build)")
    parser.add_argument("--flush", action="store_true", help="empty the given database first (destroys its data)")
    parser.add_argument("--no-verify", action="store_true", help="skip checking the counters after the build")
    parser.add_argument("--note", default="", help="one line for bench/results/runs.csv: what changed since last time")
    parser.add_argument("--copies", type=int, default=10, help="importer: size of the big dump in copies of the shared one")
    parser.add_argument("--profile", action="store_true", help="importer: cProfile the big import and print the top; search: cProfile the selectors")
    parser.add_argument("--rounds", type=int, default=2, help="search: times each query, thread and question is timed (default 2)")
    parser.add_argument("--skip-rebuild", action="store_true", help="search: with --reuse, keep the search index as it is")
    parser.add_argument("--search-only", action="append", choices=("search", "related", "experts"), help="search: time only these endpoints (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="importer: import each dump this many times (noisy machines)")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    if args.write and args.scale != 1.0:
        parser.error("--write records full-size runs only (drop --scale)")
    if args.requests < 1 or args.warmup < 1:
        parser.error("--requests and --warmup must be at least 1")
    if args.copies < 1 or args.repeat < 1:
        parser.error("--copies and --repeat must be at least 1")
    if args.only and "search" in args.only and "discussions" in args.only:
        parser.error("run --only search on its own: it builds the discussions data with words of its own")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def configure(args: argparse.Namespace) -> Path | None:
    """Set the environment before Django starts; returns the temporary folder to delete afterwards, if any."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "practica.settings"
    if os.environ.pop("DATABASE_URL", None) and not args.database_url:
        print("Note: DATABASE_URL from the environment is ignored; use --database-url to choose a database.")
    to_delete = None
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        if args.var_dir:
            var_dir = args.var_dir.resolve()
            var_dir.mkdir(parents=True, exist_ok=True)
        else:
            var_dir = Path(tempfile.mkdtemp(prefix="practica-bench-"))
            if not args.keep:
                to_delete = var_dir
        os.environ["PRACTICA_VAR_DIR"] = str(var_dir)
    # Production-like pages: DEBUG off (templates, error pages). PRACTICA_TESTING only selects the plain static
    # files storage, because a benchmark has no collectstatic manifest.
    os.environ["DEBUG"] = "0"
    os.environ["PRACTICA_TESTING"] = "1"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_COOKIES"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["PRACTICA_TASK_BACKEND"] = "dummy"
    os.environ["EMAIL_URL"] = "locmem://"
    # The benchmarks time the work, not the abuse limits (a series makes hundreds of searches a minute).
    os.environ["RATE_LIMITS"] = "search=off,search-anonymous=off,post=off"
    return to_delete


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    to_delete = configure(args)
    sys.path.insert(0, str(ROOT))
    if args.only and "search" in args.only and args.database_url:
        from bench.search import ensure_postgres_database

        ensure_postgres_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import discussions, report

    names = args.only or BENCHMARKS
    try:
        if "discussions" in names:
            machine = report.machine_facts()
            print(f"Database: {machine['database']}")
            if connection.vendor == "sqlite":
                print(f"Folder: {Path(connection.settings_dict['NAME']).parent}")
            started = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            migrate_seconds = time.perf_counter() - started
            print(f"migrate: {migrate_seconds:.1f} s")
            run_discussions(args, machine, migrate_seconds, discussions, report)
        if "importer" in names:
            run_importer(args)
        if "search" in names:
            run_search(args)
        if "digests" in names:
            run_digests(args)
        if "insights" in names:
            run_insights(args)
    finally:
        connection.close()
        if to_delete is not None:
            shutil.rmtree(to_delete, ignore_errors=True)
        elif connection.vendor == "sqlite":
            print(f"Kept the database in {os.environ.get('PRACTICA_VAR_DIR')} (run again with --var-dir ... --reuse)")
    return 0


def run_discussions(args, machine, migrate_seconds, discussions, report) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    print(f"\n== Discussions (issue 3), scale {args.scale:g}")
    big_thread_id, accounts = discussions.existing_data()
    build = None
    if big_thread_id is not None and args.reuse:
        print(f"  reusing the data already there (big thread {big_thread_id}); no build")
    else:
        if accounts and not args.flush:
            raise SystemExit(
                f"The database already holds {accounts} accounts. Use a dedicated, empty database, or pass --flush "
                "to empty it (destroys its data), or --reuse to time the data a previous run left."
            )
        if accounts:
            print("  flush: emptying the database")
            call_command("flush", interactive=False, verbosity=0)
        build = discussions.build(args.scale, log=print)
        big_thread_id = build.big_thread_id
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in build.phases.items())
        print(f"  build: {build.seconds:.1f} s ({phases})")
        print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in build.counts.items()))
    analyze_seconds = discussions.analyze()
    print(f"  {'VACUUM ANALYZE' if machine['vendor'] == 'postgresql' else 'ANALYZE'}: {analyze_seconds:.1f} s")
    problems: list[str] | None = None
    if not args.no_verify:
        started = time.perf_counter()
        problems = discussions.verify()
        state = "all agree" if not problems else f"{len(problems)} PROBLEMS:\n    " + "\n    ".join(problems)
        print(f"  counters checked in {time.perf_counter() - started:.1f} s: {state}")
    machine["database_size"] = report.database_size()
    machine["load_before"] = report.load_average()
    results = discussions.measure(big_thread_id=big_thread_id, warmup=args.warmup, requests=args.requests)
    machine["load_after"] = report.load_average()
    if args.explain:
        discussions.explain(results)
    if args.write:
        if build is None:
            print("Not written: --write needs a fresh build (not --reuse), so the build time is measured.")
        elif problems:
            print("Not written: the counters do not agree with the rows.")
        else:
            record = Record("discussions", machine=machine)
            record_discussions(record, machine=machine, migrate_seconds=migrate_seconds, build=build,
                               analyze_seconds=analyze_seconds, results=results)
            record.save(machine=machine, data=_counts_text(build.counts), note=args.note)


def run_search(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from bench import discussions, report, search

    machine = report.machine_facts()
    print(f"Database: {machine['database']}")
    if connection.vendor == "sqlite":
        print(f"Folder: {Path(connection.settings_dict['NAME']).parent}")
    call_command("migrate", interactive=False, verbosity=0)
    print(f"\n== Search (issue 5), scale {args.scale:g}")
    big_thread_id, accounts = discussions.existing_data()
    build = None
    if big_thread_id is not None and args.reuse:
        print(f"  reusing the data already there (big thread {big_thread_id}); no build")
        if not search.has_vocabulary(big_thread_id):
            print("  NOTE: these data lack the search benchmark's varied words (built by --only discussions?)")
        build_note = "reused from a previous run (`--reuse`)"
    else:
        if accounts and not args.flush:
            raise SystemExit(
                f"The database already holds {accounts} accounts. Use a dedicated, empty database, or pass --flush "
                "to empty it (destroys its data), or --reuse to time the data a previous run left."
            )
        if accounts:
            print("  flush: emptying the database")
            call_command("flush", interactive=False, verbosity=0)
        build = discussions.build(args.scale, log=print, extra_text=search.vocabulary_text)
        big_thread_id = build.big_thread_id
        print(f"  build: {build.seconds:.1f} s; rows: " + ", ".join(f"{k} {v:,}" for k, v in build.counts.items()))
        c = build.counts
        build_note = (
            f"{c['threads']:,} threads, {c['posts']:,} posts, {c['users']:,} people, {c['comments']:,} comments, "
            f"{c['thread tags']:,} thread tags, built in {build.seconds:.1f} s (with the varied words)"
        )
    rebuilt = None
    if not (args.reuse and args.skip_rebuild):
        print("  rebuilding the search index (indexing.rebuild)")
        rebuilt = search.rebuild(log=print)
        print(
            f"  rebuild: {rebuilt.seconds:.1f} s, {rebuilt.documents:,} documents, {rebuilt.per_second:,.0f} documents/s "
            f"(CPU {rebuilt.cpu_seconds:.1f} s); index {rebuilt.index_size}"
        )
    analyze_seconds = discussions.analyze()
    print(f"  {'VACUUM ANALYZE' if machine['vendor'] == 'postgresql' else 'ANALYZE'}: {analyze_seconds:.1f} s")
    machine["database_size"] = report.database_size()
    machine["load_before"] = report.load_average()
    semantic_index = search.prepare_semantic(log=print)
    only = set(args.search_only) if args.search_only else None
    series = search.measure(big_thread_id=big_thread_id, warmup=args.warmup, rounds=args.rounds, only=only)
    machine["load_after"] = report.load_average()
    if args.explain:
        search.explain(series)
    if args.profile:
        search.profile(big_thread_id=big_thread_id)
    if args.write:
        if rebuilt is None:
            print("Not written: --write needs the index rebuild timed (drop --skip-rebuild).")
        elif only:
            print("Not written: --write needs every endpoint (drop --search-only).")
        else:
            record = Record("search", machine=machine, extra="semantic" if semantic_index is not None else "")
            record_search(record, machine=machine, build=build, rebuilt=rebuilt, analyze_seconds=analyze_seconds,
                          series=series, semantic_index=semantic_index, search=search)
            record.save(machine=machine, data=build_note, note=args.note)


def run_digests(args: argparse.Namespace) -> None:
    """Issue 7: one digest run for 10,000 members (see bench/digests.py)."""
    from django.core.management import call_command

    from bench import digests, report

    machine = report.machine_facts()
    print(f"Database: {machine['database']}")
    call_command("migrate", interactive=False, verbosity=0)
    print(f"\n== Digests (issue 7), scale {args.scale:g}")
    machine["load_before"] = report.load_average()
    result = digests.measure(scale=args.scale, batch_size=500)
    print("  " + digests.summary(result))
    if args.write:
        record = Record("digests", machine=machine)
        record_digests(record, machine=machine, result=result)
        record.save(
            machine=machine, note=args.note,
            data=f"{result.members:,} members, {result.communities} communities, {result.items:,} items",
        )


def run_insights(args: argparse.Namespace) -> None:
    """[P7]: the health page and API, snapshots, back-fill, network view and read recording (bench/insights.py)."""
    from django.core.management import call_command

    from bench import insights, report

    machine = report.machine_facts()
    print(f"Database: {machine['database']}")
    call_command("migrate", interactive=False, verbosity=0)
    print(f"\n== Insights ([P7]), scale {args.scale:g}")
    machine["load_before"] = report.load_average()
    result = insights.measure(scale=args.scale, runs=max(5, args.requests // 4))
    machine["load_after"] = report.load_average()
    for line in insights.summary(result):
        print("  " + line)
    if args.write:
        record = Record("insights", machine=machine)
        for name, value in result.figures.items():
            target = insights.TARGETS.get(name)
            note = result.notes.get(name, "")
            if target is not None:
                note = f"{note}; target: at most {target:g} {result.units[name]} ([P7])".lstrip("; ")
            record.add(name, value, result.units[name], note)
        for name, count in result.counts.items():
            record.add(name, count, "count")
        record.add("build", result.build_seconds, "s")
        record.save(
            machine=machine, note=args.note,
            data=", ".join(f"{name} {count:,}" for name, count in result.counts.items()),
        )


def run_importer(args: argparse.Namespace) -> None:
    from bench import importer, report

    copies = max(1, round(args.copies * args.scale))
    database_url = args.database_url or os.environ.get("PRACTICA_BENCH_POSTGRES") or None
    where = "SQLite" + (f" and PostgreSQL ({importer._masked(importer.import_database_url(database_url))})" if database_url else "")
    print(f"\n== Stack Exchange import (issue 4): the shared dump and {copies}x, on {where}")
    load_before = report.load_average()
    runs = importer.run_benchmark(
        copies=copies, database_url=database_url, force=args.flush, profile=args.profile, keep=args.keep,
        write=False, note=args.note, repeat=args.repeat,
    )
    if args.write and runs:
        record_importer(runs, database_url=database_url, load_before=load_before, note=args.note)



# --- Recording (--write): rows in bench/results/ ---------------------------------------------------------

FIGURE_FIELDS = ("date", "commit", "database", "extra", "benchmark", "metric", "value", "unit", "note")
RUN_FIELDS = ("date", "commit", "database", "extra", "benchmark", "command", "machine", "software", "data", "note")


def _number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _size(text: str) -> tuple[float, str] | None:
    """A size as the benchmarks print it ('1,524 MB', '71 kB'): (number, unit)."""
    found = re.search(r"([\d.,]+)\s*(bytes|kB|MB|GB|TB)", text)
    return (float(found.group(1).replace(",", "")), found.group(2)) if found else None


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {value:,}" for name, value in counts.items())


class Record:
    """The figures of one run. ``add`` one figure; ``save`` appends them to bench/results/<benchmark>.csv and the
    run (command, machine, software, data, note) to bench/results/runs.csv, one row per database."""

    def __init__(self, benchmark: str, *, machine: dict[str, Any], database: str = "", extra: str = "") -> None:
        self.benchmark, self.extra = benchmark, extra
        self.database = database or machine.get("vendor", "")
        # "2026-11-30 03:01 UTC" -> "2026-11-30T03:01Z"; "abc1234 + uncommitted changes in practica/" -> "abc1234+uncommitted"
        self.date = machine["date"].replace(" UTC", "Z").replace(" ", "T")
        self.commit = machine["commit"].replace(" + uncommitted changes in practica/", "+uncommitted")
        self.rows: list[dict[str, str]] = []

    def add(self, metric: str, value: float | None, unit: str, note: str = "", *, database: str = "") -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        self.rows.append({
            "date": self.date, "commit": self.commit, "database": database or self.database, "extra": self.extra,
            "benchmark": self.benchmark, "metric": metric, "value": _number(value), "unit": unit, "note": note,
        })

    def add_load(self, when: str, text: str, *, database: str = "") -> None:
        """'0.89 / 1.31 / 1.48' (the 1, 5 and 15 minute load averages)."""
        for minutes, value in zip(("1", "5", "15"), text.split(" / "), strict=False):
            with contextlib.suppress(ValueError):
                self.add(f"load average {when}, {minutes} min", float(value), "load", database=database)

    def save(self, *, machine: dict[str, Any], data: str, note: str, software: dict[str, str] | None = None) -> None:
        from bench import report

        RESULTS.mkdir(parents=True, exist_ok=True)
        figures = RESULTS / f"{self.benchmark}.csv"
        self._append(figures, FIGURE_FIELDS, self.rows)
        host = f"{machine['cpus']}, {machine['memory']} RAM, {machine['os']}"
        runs = []
        for database in dict.fromkeys(row["database"] for row in self.rows):
            version = (software or {}).get(database) or machine.get("database", database)
            runs.append({
                "date": self.date, "commit": self.commit, "database": database, "extra": self.extra,
                "benchmark": self.benchmark, "command": report.command_line(), "machine": host,
                "software": f"Python {machine['python']}, Django {machine['django']}, {version}", "data": data,
                "note": note,
            })
        self._append(RESULTS / "runs.csv", RUN_FIELDS, runs)
        print(f"Recorded {len(self.rows)} figures in {os.path.relpath(figures, ROOT)} and the run in runs.csv beside it")

    @staticmethod
    def _append(path: Path, fields: tuple[str, ...], rows: list[dict[str, str]]) -> None:
        new = not path.exists() or path.stat().st_size == 0
        with path.open("a", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            if new:
                writer.writeheader()
            writer.writerows(rows)


def record_discussions(  # type: ignore[no-untyped-def]
    record: Record, *, machine, migrate_seconds, build, analyze_seconds, results
) -> None:
    record.add("build", build.seconds, "s", "target on SQLite: under 180 s (issue 3)")
    for phase, seconds in build.phases.items():
        record.add(f"build: {phase}", seconds, "s")
    record.add("migrate", migrate_seconds, "s")
    record.add("VACUUM ANALYZE" if machine["vendor"] == "postgresql" else "ANALYZE", analyze_seconds, "s")
    size = _size(machine.get("database_size", ""))
    if size:
        record.add("database size", size[0], size[1])
    record.add_load("before", machine["load_before"])
    record.add_load("after", machine["load_after"])
    for r in results:
        if r.status != "ok":
            continue
        target = "" if r.name.startswith("API") else "target on SQLite: median under 50 ms (issue 3)"
        record.add(f"{r.name}: median", r.median_ms, "ms", f"{r.url}; {target}".rstrip("; "))
        record.add(f"{r.name}: p95", r.p95_ms, "ms")
        record.add(f"{r.name}: CPU median", r.cpu_median_ms, "ms")
        record.add(f"{r.name}: SQL queries", r.queries, "count")
        record.add(f"{r.name}: SQL time", round(r.sql_ms), "ms")
        record.add(f"{r.name}: response", round(r.bytes / 1024), "KB", r.check or "HTTP 200")


def record_search(  # type: ignore[no-untyped-def]
    record: Record, *, machine, build, rebuilt, analyze_seconds, series, semantic_index, search
) -> None:
    import statistics

    if build is not None:
        record.add("build (with the varied words)", build.seconds, "s")
    if rebuilt is not None:
        record.add("index rebuild", rebuilt.seconds, "s")
        record.add("index rebuild: documents", rebuilt.documents, "count")
        record.add("index rebuild: documents/s", rebuilt.per_second, "documents/s")
        record.add("index rebuild: CPU", rebuilt.cpu_seconds, "s")
        for kind, count in rebuilt.counts.items():
            record.add(f"index rebuild: {kind}", count, "count")
        # "284 MB, of which the FTS5 index 55 MB" / "table with indexes 610 MB, of which the GIN index 71 MB"
        sizes = [_size(text) for text in re.findall(r"[\d.,]+\s*(?:bytes|kB|MB|GB|TB)", rebuilt.index_size)]
        if sizes and sizes[0]:
            record.add("index size", *sizes[0])
        if len(sizes) > 1 and sizes[-1]:
            record.add("index size: " + ("GIN index" if machine["vendor"] == "postgresql" else "FTS5 index"), *sizes[-1])
        space = rebuilt.latent
        if space is not None and space.documents:
            record.add("latent space", space.seconds, "s")
            record.add("latent space: threads", space.documents, "count")
            record.add("latent space: words", space.words, "count")
            record.add("latent space: dimensions", space.dimensions, "count")
            for stage, seconds in space.stages.items():
                record.add(f"latent space: {stage}", seconds, "s")
    record.add("VACUUM ANALYZE" if machine["vendor"] == "postgresql" else "ANALYZE", analyze_seconds, "s")
    size = _size(machine.get("database_size", ""))
    if size:
        record.add("database size", size[0], size[1])
    record.add_load("before", machine["load_before"])
    record.add_load("after", machine["load_after"])
    if semantic_index is not None:
        si = semantic_index
        record.add("semantic index: threads", si.threads, "count", "random unit vectors, not the model's")
        record.add("semantic index: written by this run", si.filled, "count")
        record.add("semantic index: writing", si.fill_seconds, "s")
        record.add("semantic index: loaded whole", si.load_seconds, "s")
        record.add("semantic index: memory", si.megabytes, "MB")
        record.add("semantic index: read, nothing new", si.unchanged_ms, "ms")
        record.add("semantic index: read, one embedding changed", si.refresh_ms, "ms")
        record.add("semantic: one query embedded", si.query_ms, "ms")
    for s in series:
        median_target, p95_target = s.target()
        if math.isinf(median_target):
            target = "no target (measured for comparison)"
        else:
            target = f"target median < {median_target:.0f}" + (f", p95 < {p95_target:.0f}" if p95_target else "")
            target += " (issue 5): " + ("missed" if s.missed() else "met")
        record.add(f"{s.name}: requests", len(s.samples), "count", s.example)
        record.add(f"{s.name}: median", s.median, "ms", target)
        record.add(f"{s.name}: p95", s.p95, "ms")
        record.add(f"{s.name}: max", max(s.times), "ms")
        record.add(f"{s.name}: CPU median", s.cpu_median, "ms")
        record.add(f"{s.name}: DB CPU", s.db_cpu_ms, "ms", "PostgreSQL server process, mean per request")
        record.add(f"{s.name}: SQL queries, median", statistics.median(s.queries.values()), "count")
        record.add(f"{s.name}: SQL queries, max", max(s.queries.values()), "count")
        record.add(f"{s.name}: SQL median", statistics.median(s.sql_ms.values()), "ms")
    api = next((s for s in series if s.name == "Search, API"), None)
    if api is not None:
        for category, n, median, p95, queries, matches in search.by_category(api):
            record.add(f"Search, API, {category}: queries", n, "count")
            record.add(f"Search, API, {category}: median", median, "ms")
            record.add(f"Search, API, {category}: p95", p95, "ms")
            record.add(f"Search, API, {category}: SQL queries", queries, "count")
            record.add(f"Search, API, {category}: matches", matches, "count", "median of the count the API answers")
    for s in series:
        if s.name in ("Search, API", "Related threads, API", "Experts, API"):
            for label, category, ms in search.slowest(s, 5 if s.name == "Search, API" else 3):
                record.add(f"{s.name}, slowest: {label} ({category})", ms, "ms", "median of the rounds")


def record_digests(record: Record, *, machine: dict[str, Any], result: Any) -> None:
    r = result
    record.add("send_digests run", r.seconds, "s", "target: under 60 s (issue 7)")
    record.add("members", r.members, "count")
    record.add("communities", r.communities, "count")
    record.add("new items", r.items, "count")
    record.add("notifications waiting", r.notifications, "count")
    record.add("build", r.build_seconds, "s")
    record.add("digests sent", r.sent, "count")
    record.add("MIME built", r.mail_mb, "MB")
    record.add("batches", r.batches, "count")
    record.add("recipients per batch", r.batch_size, "count")
    if r.queries:
        record.add("queries, first batch", r.queries[0], "count", "one more: the stale-claim check")
        for queries in sorted(set(r.queries[1:])):
            record.add("queries per batch", queries, "count", "target: independent of the members (issue 7)")
    if r.rss_mb:
        batches = {"first": r.rss_mb[0], "min": min(r.rss_mb), "max": max(r.rss_mb), "last": r.rss_mb[-1]}
        for name, value in batches.items():
            record.add(f"RSS after each batch: {name}", value, "MB", "target: constant memory (issue 7)" if name == "max" else "")
    record.add("RSS before", r.rss_before_mb, "MB")
    record.add("RSS after", r.rss_after_mb, "MB")
    record.add("second run: digests sent", r.second_run_sent, "count")
    record.add("second run", r.second_run_seconds, "s")
    record.add_load("before", machine["load_before"])


def record_importer(runs: list[Any], *, database_url: str | None, load_before: str, note: str) -> None:
    import sqlite3

    from bench import importer, report

    machine = importer.machine()
    record = Record("importer", machine=machine, database="sqlite")
    software = {"sqlite": f"SQLite {sqlite3.sqlite_version}"}
    if database_url and any(r.engine == "postgresql" for r in runs):
        try:
            with importer._pg_admin(importer.import_database_url(database_url)) as admin:
                row = admin.execute("SHOW server_version").fetchone()
            software["postgresql"] = f"PostgreSQL {row[0] if row else '?'}"
        except Exception:  # the figures matter more than the version string
            software["postgresql"] = "PostgreSQL"
    seen: dict[tuple[str, int], int] = {}
    for r in runs:
        attempt = seen[(r.engine, r.copies)] = seen.get((r.engine, r.copies), 0) + 1
        subject = f"import {r.copies}×" + (f" (run {attempt})" if attempt > 1 else "")
        db = r.engine
        record.add(f"{subject}: dump", r.dump_mb, "MB", database=db)
        record.add(f"{subject}: posts", r.posts, "count", database=db)
        record.add(f"{subject}: posts/s (posts step)", r.posts_per_second_steps, "posts/s",
                   "target: at least 2,000 (issue 4)", database=db)
        record.add(f"{subject}: posts/s (whole import)", r.posts_per_second_overall, "posts/s", database=db)
        record.add(f"{subject}: objects/s", r.objects_per_second, "objects/s", database=db)
        record.add(f"{subject}: import", r.import_seconds, "s", database=db)
        record.add(f"{subject}: CPU", r.cpu_seconds, "s", "the child process, user + system", database=db)
        record.add(f"{subject}: peak memory", r.peak_mb, "MB",
                   "target on the 10× dump: under 300 MB (issue 4)" if r.copies > 1 else "", database=db)
        size = _size(r.database_size)
        if size:
            record.add(f"{subject}: database size", size[0], size[1], database=db)
        for when, value in zip(("before", "after"), r.load.split(" → "), strict=False):
            with contextlib.suppress(ValueError):
                record.add(f"{subject}: load average {when}, 1 min", float(value), "load", database=db)
        if r.second_run_created is not None:
            record.add(f"{subject}: second run, new objects", r.second_run_created, "count", database=db)
            record.add(f"{subject}: second run", r.second_run_seconds, "s", database=db)
        for step, seconds in r.stats["step_seconds"].items():
            record.add(f"{subject}: step {step}", seconds, "s", database=db)
    for db in dict.fromkeys(r.engine for r in runs):
        record.add_load("before", load_before, database=db)
        record.add_load("after", report.load_average(), database=db)
    record.save(machine=machine, data="the shared quantumcomputing dump and a dump ten times its size", note=note,
                software=software)


if __name__ == "__main__":
    sys.exit(main())
