"""Practica's headline health numbers on the quantumcomputing dump, next to the same numbers computed straight
from the dump's XML by this script (issue 20, "Correctness on real data"; the table is in docs/metrics.md).

The script's own computation (``read_dump``, ``headline``) imports neither Django nor anything of Practica: it
reads Posts.xml, Comments.xml and Users.xml with the standard library and applies the definitions of
docs/metrics.md as written there. Practica's side runs in child processes, the way an operator would run it:
``manage.py migrate``, ``manage.py import_stackexchange`` and ``community_health`` (through ``manage.py shell``)
on a scratch SQLite database in a temporary ``PRACTICA_VAR_DIR``, deleted afterwards.

What the import does, and so what the script mirrors (practica/importers/stackexchange.py):

- a question (``PostTypeId`` 1) is a thread of kind question, its body the opening post; an answer (2) is a reply
  to its question's thread; a comment is a comment on its post (question or answer). Tag wikis and excerpts (4,
  5) and other post types are not content, and comments on them are dropped.
- a post or comment whose ``OwnerUserId`` / ``UserId`` is missing, or names nobody in Users.xml (a deleted
  account), has no author: it is a thread or a response, but no contribution. The "Community" user (Id -1) is an
  account like any other.
- community wiki posts (``CommunityOwnedDate``) stay their ``OwnerUserId``'s: the import ignores the flag.
- ``--until DAY`` keeps what was created before that day (people too: an owner who joined later is unknown).

Usage (from the repository root; the import takes a few seconds on this dump)::

    nice python -m bench.check_metrics_dump [--dataset DIR] [--until YYYY-MM-DD] [--markdown]

It exits 0 when every number agrees, 1 when one does not, and 0 with a message when the dump is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import iterparse

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT.parent / "shared" / "datasets" / "quantumcomputing"
SLUG = "qc-check"
HEADLINE = (
    "new_threads",
    "contributions",
    "contributors",
    "top10_share",
    "absence_factor",
    "reply_coverage_7d",
    "median_first_response_hours",
    "newcomer_reply_coverage_7d",
    "unanswered",
)
# (last day, days): the dump's last 90 days, the 90 before them, the site's first month of public beta, its whole
# first year as of the dump, and a window a year before the last one (before the site opened: all empty).
WINDOWS: tuple[tuple[date, int], ...] = (
    (date(2018, 9, 1), 90),
    (date(2018, 6, 3), 90),
    (date(2018, 4, 10), 30),
    (date(2018, 9, 1), 365),
    (date(2017, 9, 1), 90),
)
WEEK = timedelta(hours=7 * 24)
Number = int | float | None


# --- The dump, as the importer keeps it --------------------------------------------------------------------


@dataclass
class Question:
    se_id: int
    author: int | None
    created: datetime
    answers: list[Response] = field(default_factory=list)  # replies
    comments: list[Response] = field(default_factory=list)  # on the question or on any of its answers


@dataclass(frozen=True)
class Response:
    author: int | None
    created: datetime


@dataclass
class Dump:
    questions: dict[int, Question]
    contributions: list[tuple[int | None, datetime]]  # (author, created) of every question, answer and comment


def _when(value: str | None) -> datetime | None:
    """A dump date ("2018-03-12T17:00:45.567", UTC without saying so) as an aware datetime."""
    if not value:
        return None
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _rows(path: Path) -> Iterator[dict[str, str]]:
    for _, element in iterparse(path, events=("end",)):
        if element.tag == "row":
            yield dict(element.attrib)
        element.clear()


def read_dump(folder: Path, until: date | None = None) -> Dump:
    """Questions with their answers and comments, and every contribution, as the importer would keep them."""
    limit = datetime(until.year, until.month, until.day, tzinfo=UTC) if until else None

    def kept(created: datetime | None) -> bool:
        return created is not None and (limit is None or created < limit)

    people = {
        se_id for row in _rows(folder / "Users.xml")
        if (se_id := _number(row.get("Id"))) is not None and kept(_when(row.get("CreationDate")))
    }

    def author(value: str | None) -> int | None:
        se_id = _number(value)
        return se_id if se_id in people else None

    questions: dict[int, Question] = {}
    answers: list[tuple[int, int, int | None, datetime]] = []  # (answer id, question id, author, created)
    for row in _rows(folder / "Posts.xml"):
        se_id, created = _number(row.get("Id")), _when(row.get("CreationDate"))
        if se_id is None or not kept(created):
            continue
        assert created is not None
        if row.get("PostTypeId") == "1":
            questions[se_id] = Question(se_id, author(row.get("OwnerUserId")), created)
        elif row.get("PostTypeId") == "2" and (parent := _number(row.get("ParentId"))) is not None:
            answers.append((se_id, parent, author(row.get("OwnerUserId")), created))
    question_of: dict[int, int] = {se_id: se_id for se_id in questions}
    contributions = [(q.author, q.created) for q in questions.values()]
    for se_id, parent, who, created in answers:
        if parent in questions:  # an answer whose question is missing is not imported
            questions[parent].answers.append(Response(who, created))
            question_of[se_id] = parent
            contributions.append((who, created))
    for row in _rows(folder / "Comments.xml"):
        created = _when(row.get("CreationDate"))
        on = question_of.get(_number(row.get("PostId")) or 0)
        if on is None or not kept(created):
            continue  # on a tag wiki, or on a post not imported
        assert created is not None
        who = author(row.get("UserId"))
        questions[on].comments.append(Response(who, created))
        contributions.append((who, created))
    return Dump(questions=questions, contributions=contributions)


# --- The numbers, by docs/metrics.md -----------------------------------------------------------------------


def _by_someone_else(question: Question, response: Response) -> bool:
    """A response by someone other than the question's author: when the question's author is unknown, a known
    person; when the response's author is unknown, someone else (unless both are unknown)."""
    if question.author is None:
        return response.author is not None
    return response.author != question.author


def _first(responses: Sequence[Response], question: Question, before: datetime) -> datetime | None:
    times = [r.created for r in responses if r.created < before and _by_someone_else(question, r)]
    return min(times) if times else None


def headline(dump: Dump, end: date, days: int) -> dict[str, Number]:
    """The headline numbers of the ``days`` UTC days ending with ``end``, inclusive, as known at its end."""
    start = datetime(end.year, end.month, end.day, tzinfo=UTC) - timedelta(days=days - 1)
    after = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    inside = [q for q in dump.questions.values() if start <= q.created < after]
    per_person = Counter(who for who, created in dump.contributions if who is not None and start <= created < after)
    counts = sorted(per_person.values(), reverse=True)
    total = sum(counts)
    absence, running = None, 0
    for taken, count in enumerate(counts, start=1):
        running += count
        if running * 2 >= total:
            absence = taken
            break
    # Each author's first question: the earliest (then the lowest id: the import writes them in id order).
    first_of: dict[int, tuple[datetime, int]] = {}
    for q in dump.questions.values():
        if q.author is not None:
            key = (q.created, q.se_id)
            first_of[q.author] = min(first_of.get(q.author, key), key)
    hours, covered, newcomer_threads, newcomers_covered, unanswered = [], 0, 0, 0, 0
    for q in inside:
        reply = _first(q.answers, q, after)
        comment = _first(q.comments, q, after)
        firsts = [t for t in (reply, comment) if t is not None]
        response = min(firsts) if firsts else None
        in_a_week = response is not None and response - q.created <= WEEK
        if response is not None:
            hours.append((response - q.created).total_seconds() / 3600)
        covered += in_a_week
        if q.author is not None and first_of[q.author] == (q.created, q.se_id):
            newcomer_threads += 1
            newcomers_covered += in_a_week
        unanswered += reply is None
    return {
        "new_threads": len(inside),
        "contributions": total,
        "contributors": len(counts),
        "top10_share": sum(counts[:10]) / total if total else None,
        "absence_factor": absence,
        "reply_coverage_7d": covered / len(inside) if inside else None,
        "median_first_response_hours": statistics.median(hours) if hours else None,
        "newcomer_reply_coverage_7d": newcomers_covered / newcomer_threads if newcomer_threads else None,
        "unanswered": unanswered,
    }


def agree(ours: Number, theirs: Number) -> bool:
    if ours is None or theirs is None:
        return ours is theirs
    return abs(ours - theirs) <= 1e-9 * max(1.0, abs(ours), abs(theirs))


# --- Practica's side, in child processes -------------------------------------------------------------------

_READ_HEALTH = """
import json, os
from datetime import date
from practica.communities.models import Community
from practica.insights.metrics import community_health
community = Community.objects.get(slug=os.environ["CHECK_SLUG"])
out = {}
for end, days in json.loads(os.environ["CHECK_WINDOWS"]):
    health = community_health(community=community, end=date.fromisoformat(end), days=days)
    out[f"{end}/{days}"] = {name: health.metrics[name].value for name in json.loads(os.environ["CHECK_NAMES"])}
print("CHECK" + json.dumps(out))
"""


def practica_numbers(
    folder: Path, windows: Sequence[tuple[date, int]], until: date | None = None
) -> dict[str, dict[str, Number]]:
    """Import the dump into a scratch SQLite database and read ``community_health`` for each window."""
    with tempfile.TemporaryDirectory(prefix="practica-check-") as scratch:
        env = {
            **os.environ,
            "PRACTICA_VAR_DIR": scratch,
            # Never the caller's database: a fresh file in the scratch folder.
            "DATABASE_URL": f"sqlite:///{Path(scratch) / 'check.sqlite3'}",
            "CHECK_SLUG": SLUG,
            "CHECK_WINDOWS": json.dumps([(end.isoformat(), days) for end, days in windows]),
            "CHECK_NAMES": json.dumps(HEADLINE),
        }

        def manage(*args: str) -> str:
            done = subprocess.run(
                [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
            if done.returncode:
                raise SystemExit(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
            return done.stdout

        manage("migrate", "--verbosity", "0")
        command = ["import_stackexchange", str(folder), "--community", SLUG, "--create", "--verbosity", "0"]
        manage(*command, *(["--until", until.isoformat()] if until else []))
        output = manage("shell", "--no-startup", "--command", _READ_HEALTH)
        line = next(line for line in output.splitlines() if line.startswith("CHECK"))
        result: dict[str, dict[str, Number]] = json.loads(line[len("CHECK"):])
        return result


# --- The comparison ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    window: str
    name: str
    practica: Number
    script: Number

    @property
    def agrees(self) -> bool:
        return agree(self.practica, self.script)


def compare(folder: Path, windows: Sequence[tuple[date, int]], until: date | None = None) -> list[Row]:
    dump = read_dump(folder, until)
    theirs = practica_numbers(folder, windows, until)
    rows = []
    for end, days in windows:
        ours = headline(dump, end, days)
        for name in HEADLINE:
            rows.append(Row(f"{days} days to {end.isoformat()}", name, theirs[f"{end.isoformat()}/{days}"][name],
                            ours[name]))
    return rows


def _shown(value: Number) -> str:
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def markdown(rows: Sequence[Row]) -> str:
    """One line per number, one column per window: "Practica / script", and whether all windows agree."""
    windows = list(dict.fromkeys(row.window for row in rows))
    cells = {(row.name, row.window): row for row in rows}
    lines = [
        "| Number | " + " | ".join(windows) + " | Agree |",
        "|---|" + "---:|" * len(windows) + "---|",
    ]
    for name in dict.fromkeys(row.name for row in rows):
        line = [cells[(name, window)] for window in windows]
        shown = [f"{_shown(c.practica)} / {_shown(c.script)}" + ("" if c.agrees else " **≠**") for c in line]
        verdict = "yes" if all(c.agrees for c in line) else "**no**"
        lines.append(f"| `{name}` | " + " | ".join(shown) + f" | {verdict} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=DATASET, help="The dump folder (Posts.xml, ...).")
    parser.add_argument("--until", type=date.fromisoformat, help="Only what was created before this day.")
    parser.add_argument("--markdown", action="store_true", help="Print the table for docs/metrics.md.")
    options = parser.parse_args(argv)
    folder: Path = options.dataset
    missing = [name for name in ("Posts.xml", "Comments.xml", "Users.xml") if not (folder / name).is_file()]
    if missing:
        print(f"Skipped: the dump is absent ({', '.join(missing)} not in {folder}).")
        return 0
    rows = compare(folder, WINDOWS, options.until)
    if options.markdown:
        print(markdown(rows))
    else:
        for row in rows:
            mark = "ok " if row.agrees else "DIFF"
            print(f"{mark} {row.window:<22} {row.name:<28} practica={_shown(row.practica):>10} "
                  f"script={_shown(row.script):>10}")
    wrong = [row for row in rows if not row.agrees]
    print(f"{len(rows) - len(wrong)} of {len(rows)} numbers agree.", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
