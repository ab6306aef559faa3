#!/usr/bin/env python
"""Run Practica's benchmarks and, with ``--write``, record the results in docs/benchmarks.md.

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
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("discussions", "importer")  # run when no --only is given
OPTIONAL_BENCHMARKS = ("search", "digests")  # only when asked for


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=BENCHMARKS + OPTIONAL_BENCHMARKS, help="run only this benchmark (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the data set, e.g. 0.02 for a smoke run")
    parser.add_argument("--database-url", help="run on this database (PostgreSQL) instead of a temporary SQLite file")
    parser.add_argument("--write", action="store_true", help="record the results in docs/benchmarks.md (scale 1 only)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--explain", action="store_true", help="print every query of each page with its plan")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (its path is printed)")
    parser.add_argument("--var-dir", type=Path, help="use this folder instead of a temporary one (SQLite)")
    parser.add_argument("--reuse", action="store_true", help="time the data a previous run left (no build)")
    parser.add_argument("--flush", action="store_true", help="empty the given database first (destroys its data)")
    parser.add_argument("--no-verify", action="store_true", help="skip checking the counters after the build")
    parser.add_argument("--note", default="", help="one line for docs/benchmarks.md: what changed since last time")
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
            path = report.write_discussions(
                args=args, machine=machine, migrate_seconds=migrate_seconds, build=build,
                analyze_seconds=analyze_seconds, results=results,
            )
            print(f"Recorded in {path.relative_to(ROOT)}")


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
            text = search.entry(
                machine=machine, build=build, build_note=build_note, rebuilt=rebuilt, analyze_seconds=analyze_seconds,
                series=series, rounds=args.rounds, warmup=args.warmup, note=args.note, semantic_index=semantic_index,
            )
            path = search.write_results(text)
            print(f"Recorded in {path.relative_to(ROOT)}")


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
        path = digests.write(digests.entry(result, machine, report.command_line(), args.note))
        print(f"Recorded in {path.relative_to(ROOT)}")


def run_importer(args: argparse.Namespace) -> None:
    from bench import importer

    copies = max(1, round(args.copies * args.scale))
    database_url = args.database_url or os.environ.get("PRACTICA_BENCH_POSTGRES") or None
    where = "SQLite" + (f" and PostgreSQL ({importer._masked(importer.import_database_url(database_url))})" if database_url else "")
    print(f"\n== Stack Exchange import (issue 4): the shared dump and {copies}x, on {where}")
    importer.run_benchmark(
        copies=copies, database_url=database_url, force=args.flush, profile=args.profile, keep=args.keep,
        write=args.write, note=args.note, repeat=args.repeat,
    )


if __name__ == "__main__":
    sys.exit(main())
