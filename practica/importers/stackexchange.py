"""Import a Stack Exchange data dump (Posts.xml, Users.xml, ...) into a community.

The importer streams each XML file (``iterparse`` and ``clear``), so memory stays flat whatever the dump's
size, and writes in batches with ``bulk_create``. Every imported object carries ``external_id`` =
``se:<site>:<Id>``; objects that exist already are skipped, so running it twice changes nothing, and running it
with a later ``until`` adds only what is new. The whole run is one transaction: a malformed file leaves
nothing half-imported.

Order of work (each step one streaming pass over one file):
  Votes (up/down counts per post) → Tags → Users → Badges (tag badges become declared expertise)
  → Posts: questions and answers (one pass; a second only for answers listed before their question)
  → accepted answers → Comments → PostLinks (duplicates, related)
  → thread counters (replies, first response) recomputed in SQL
  → the health history (activity days, a snapshot per day since the first post: ``insights``) → search index.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as safe_iterparse
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from practica.accounts.models import User
from practica.communities.models import Charter, Community, Membership, MembershipState, Role, Visibility
from practica.discussions.models import Comment, Post, Revision, Thread, ThreadKind
from practica.lib.bulk import bulk_insert, bulk_insert_dicts
from practica.lib.markdown import html_to_text, render_inline, sanitize_html
from practica.people.models import Profile
from practica.topics.models import Topic
from practica.topics.services import topic_normalise as _topic_normalise

BATCH = 1000
FILES = ("Posts.xml", "Users.xml", "Comments.xml", "Votes.xml", "Tags.xml", "PostLinks.xml", "Badges.xml")
UNUSABLE_PASSWORD = make_password(None)
# A site has a few hundred tags, each named on thousands of rows: slugify each name once.
topic_normalise = functools.lru_cache(maxsize=8192)(_topic_normalise)


class ImportError_(Exception):
    """A problem with the dump itself (missing file, malformed XML); the message names the file."""


@dataclass
class ImportStats:
    """Counts per kind of object created, and rows skipped with the reason."""

    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    read: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "existing": dict(self.existing),
            "skipped": dict(self.skipped),
            "read": dict(self.read),
            "seconds": round(self.seconds, 2),
            "step_seconds": {k: round(v, 3) for k, v in self.step_seconds.items()},
        }

    @property
    def posts_per_second(self) -> float:
        """Questions and answers imported per second of the step that imports them (``posts``)."""
        posts = self.created.get("questions", 0) + self.created.get("answers", 0)
        seconds = sum(self.step_seconds.get(step, 0) for step in ("posts", "questions", "answers"))
        return posts / seconds if seconds else 0.0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


class Progress:
    """A progress bar per file on a terminal; plain periodic lines elsewhere; optional callback (web jobs)."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        callback: Callable[[str, int, int], None] | None = None,
        interval: float | None = None,
    ) -> None:
        self.stream = stream
        self.callback = callback
        self.tty = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self._last = 0.0
        self._label = ""

    def start(self, label: str) -> None:
        self._label = label
        self._last = 0.0

    def update(self, done: int, total: int, rows: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last < self.interval:
            return
        self._last = now
        if self.callback:
            self.callback(self._label, done, total)
        if self.stream is None:
            return
        share = done / total if total else 1.0
        if self.tty:
            width = 30
            bar = "#" * int(share * width) + "-" * (width - int(share * width))
            self.stream.write(f"\r{self._label:<28} [{bar}] {share:6.1%} {rows:>9,} rows")
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(f"{self._label}: {share:.0%} ({rows:,} rows)\n")
        self.stream.flush()


def parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _batched(rows: Iterator[dict[str, str]], size: int = BATCH) -> Iterator[list[dict[str, str]]]:
    batch: list[dict[str, str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class StackExchangeImporter:
    """Imports one dump folder into one community. Use :meth:`run`."""

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        community_slug: str,
        site: str | None = None,
        until: dt.date | None = None,
        create: bool = False,
        coordinator: User | None = None,
        visibility: str = Visibility.PUBLIC,
        progress: Progress | None = None,
        batch_size: int = BATCH,
    ) -> None:
        self.folder = Path(folder)
        self.community_slug = community_slug
        self.site = slugify(site or self.folder.resolve().name) or "site"
        self.until = (
            dt.datetime.combine(until, dt.time.min, tzinfo=dt.UTC) if until is not None else None
        )
        self.create = create
        self.coordinator = coordinator
        self.visibility = visibility
        self.progress = progress or Progress(None)
        self.batch_size = batch_size
        self.stats = ImportStats()
        self.community: Community
        self._votes: dict[int, list[int]] = {}
        self._accepted: dict[int, int] = {}
        self._excerpts: dict[int, str] = {}
        self._tag_by_excerpt: dict[int, str] = {}
        # Site ids already resolved in this run (questions -> threads, users -> accounts; None: no such account),
        # so answers and posts do not look their question and owner up again (one query per batch each).
        self._threads: dict[int, int] = {}
        self._users: dict[int, int | None] = {}

    # --- helpers --------------------------------------------------------------------------------

    def ext(self, se_id: int | str) -> str:
        return f"se:{self.site}:{se_id}"

    def _path(self, name: str) -> Path | None:
        path = self.folder / name
        return path if path.is_file() else None

    def _rows(self, name: str) -> Iterator[dict[str, str]]:
        """The attributes of each ``<row>`` of a file, streamed; malformed XML raises with file and line."""
        path = self._path(name)
        if path is None:
            return
        total = path.stat().st_size
        self.progress.start(name)
        count = 0
        with path.open("rb") as handle:
            try:
                for _, element in safe_iterparse(handle, events=("end",), forbid_dtd=True):
                    if element.tag == "row":
                        count += 1
                        self.stats.read[name] += 1
                        yield dict(element.attrib)
                        if count % 500 == 0:
                            self.progress.update(handle.tell(), total, count)
                    element.clear()
            except (ET.ParseError, DefusedXmlException) as exc:
                if isinstance(exc, DefusedXmlException):
                    raise ImportError_(f"{name}: refused ({exc}); a dump has no DTDs or entities.") from None
                line, column = exc.position
                raise ImportError_(f"{name}: malformed XML at line {line}, column {column} ({exc.msg}).") from None
        self.progress.update(total, total, count, final=True)

    def _in_range(self, row: dict[str, str], kind: str, key: str = "CreationDate") -> dt.datetime | None:
        created = parse_date(row.get(key))
        if created is None:
            self.stats.skipped[f"{kind} without a valid CreationDate"] += 1
            return None
        if self.until is not None and created >= self.until:
            self.stats.skipped[f"{kind} created on or after --until"] += 1
            return None
        return created

    def _existing(self, model: Any, ids: list[str]) -> dict[str, int]:
        """{external id: primary key} of the rows of ``model`` with these external ids — threads, posts and
        comments only **in the community being imported into** (people are shared by the whole network).

        Scoped so that a dump can never reach another community's content, whatever site name it claims (the
        site name is also refused when another community's import uses it: :func:`site_used_elsewhere`).

        Plain SQL: the ORM prepares each of the hundreds of parameters of an ``IN`` through the field, several
        times the cost of the lookup itself. The "not empty" condition repeats the partial unique index's own,
        so SQLite and PostgreSQL can use that index (without it, each lookup scans the whole table)."""
        found: dict[str, int] = {}
        wanted = list(dict.fromkeys(ids))
        meta = model._meta
        quote = connection.ops.quote_name
        table, column, pk = quote(meta.db_table), quote(meta.get_field("external_id").column), quote(meta.pk.column)
        scope, scope_params = self._community_scope(model)
        with connection.cursor() as cursor:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                # Names come from the models' metadata, quoted; the ids and the community are parameters.
                cursor.execute(
                    f"SELECT {column}, {pk} FROM {table} WHERE NOT ({column} = '') AND {column} IN ({placeholders})"  # noqa: S608
                    f"{scope}",
                    [*chunk, *scope_params],
                )
                found.update(cursor.fetchall())
        return found

    def _community_scope(self, model: Any) -> tuple[str, list[Any]]:
        """The SQL condition (and its parameters) that keeps ``model``'s rows to the community imported into;
        nothing for people, who belong to the network rather than to one community."""
        if model is User:
            return "", []
        quote = connection.ops.quote_name
        threads = quote(Thread._meta.db_table)
        # Names from the models' metadata, quoted; the community is a parameter.
        in_community = f"SELECT {quote('id')} FROM {threads} WHERE {quote('community_id')} = %s"  # noqa: S608
        if model is Thread:
            return f" AND {quote('community_id')} = %s", [self.community.id]
        posts = quote(Post._meta.db_table)
        posts_in_community = f"SELECT {quote('id')} FROM {posts} WHERE {quote('thread_id')} IN ({in_community})"  # noqa: S608
        if model is Post:
            return f" AND {quote('thread_id')} IN ({in_community})", [self.community.id]
        if model is Comment:
            return f" AND {quote('post_id')} IN ({posts_in_community})", [self.community.id]
        raise ValueError(f"No community scope for {model.__name__}")  # a new model must say how it is scoped

    def _user_ids(self, se_ids: set[int]) -> dict[int, int]:
        """{site user id: account id} of these people (those not imported are left out). Called after the people
        step, which is the only one that creates accounts, so what it finds (or not) holds for the whole run."""
        missing = [i for i in se_ids if i not in self._users]
        if missing:
            found = self._existing(User, [self.ext(f"user:{i}") for i in missing])
            for i in missing:
                self._users[i] = found.get(self.ext(f"user:{i}"))
        return {i: user_id for i in se_ids if (user_id := self._users[i]) is not None}

    def _new_ids(self, model: Any, count: int) -> list[int] | None:
        """On PostgreSQL, ``count`` primary keys taken from the table's sequence, so rows written with COPY need
        no query afterwards to learn their ids; None elsewhere (SQLite looks them up by external id)."""
        if connection.vendor != "postgresql" or not count:
            return None
        meta = model._meta
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]

    # --- steps ----------------------------------------------------------------------------------

    def check(self) -> None:
        if not self.folder.is_dir():
            raise ImportError_(f"No such folder: {self.folder}")
        if self._path("Posts.xml") is None:
            raise ImportError_(f"Posts.xml is missing in {self.folder}: it is required.")
        for name in FILES:
            if self._path(name) is None:
                self.stats.skipped[f"{name} absent (nothing imported from it)"] += 1

    def run(self) -> ImportStats:
        started = time.monotonic()
        self.check()
        with transaction.atomic():
            self._faster_storage()
            target = Community.objects.filter(slug__iexact=self.community_slug).first()
            if site_used_elsewhere(self.site, target):
                raise ImportError_(site_taken_message(self.site))
            self.community = self._get_community()
            steps = [
                ("votes", self._read_votes),
                ("tags", self._import_tags),
                ("people", self._import_users),
                ("badges", self._import_badges),
                ("posts", self._import_posts),
                ("accepted answers", self._set_accepted_answers),
                ("comments", self._import_comments),
                ("links", self._import_links),
                ("counters", self._refresh_counters),
                ("health history", self._health_history),
                ("search index", self._index),
            ]
            for name, step in steps:
                step_started = time.monotonic()
                step()
                self.stats.step_seconds[name] = time.monotonic() - step_started
        self.stats.seconds = time.monotonic() - started
        return self.stats

    @staticmethod
    def _faster_storage() -> None:
        """PostgreSQL compresses long texts (bodies) as it stores them; lz4 does that about twice as fast as the
        default pglz. Only for this transaction, and only where the server supports it."""
        if connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
        except DatabaseError:
            pass  # a server built without lz4 keeps pglz

    def _get_community(self) -> Community:
        community = Community.objects.filter(slug__iexact=self.community_slug).first()
        if community is not None:
            return community
        if not self.create:
            raise ImportError_(f"No community “{self.community_slug}”; pass --create to create it.")
        community = Community.objects.create(
            name=f"{self.site.replace('-', ' ').title()} (imported)",
            slug=self.community_slug.lower(),
            domain=f"Questions and answers imported from the {self.site} Stack Exchange site (CC BY-SA).",
            visibility=self.visibility,
            created_by=self.coordinator,
            external_id=self.ext("site"),
        )
        Charter.objects.create(community=community, purpose="")
        if self.coordinator is not None:
            Membership.objects.create(
                community=community, user=self.coordinator, role=Role.COORDINATOR, state=MembershipState.ACTIVE,
                joined_at=community.created_at,
            )
        self.stats.created["communities"] += 1
        return community

    def _read_votes(self) -> None:
        """Up- and down-vote counts per post (voters are anonymised in the dump)."""
        for row in self._rows("Votes.xml"):
            kind = row.get("VoteTypeId")
            post_id = _int(row.get("PostId"))
            if post_id is None or kind not in ("2", "3"):
                continue
            created = parse_date(row.get("CreationDate"))
            if self.until is not None and created is not None and created >= self.until:
                continue
            counts = self._votes.setdefault(post_id, [0, 0])
            counts[0 if kind == "2" else 1] += 1

    def _import_tags(self) -> None:
        wanted: dict[str, str] = {}
        for row in self._rows("Tags.xml"):
            name = (row.get("TagName") or "").strip()
            slug = topic_normalise(name)
            if not slug:
                self.stats.skipped["tags with an unusable name"] += 1
                continue
            wanted[slug] = name
            excerpt = _int(row.get("ExcerptPostId"))
            if excerpt is not None:
                self._tag_by_excerpt[excerpt] = slug
        self._ensure_topics(wanted)

    def _ensure_topics(self, wanted: dict[str, str]) -> dict[str, Topic]:
        if not wanted:
            return {}
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=wanted)}
        missing = [Topic(slug=s, name=n[:64]) for s, n in wanted.items() if s not in topics]
        if missing:
            Topic.objects.bulk_create(missing, ignore_conflicts=True)
            self.stats.created["topics"] += len(missing)
            topics = {t.slug: t for t in Topic.objects.filter(slug__in=wanted)}
        through = Community.topics.through
        present = set(
            through.objects.filter(community=self.community, topic__in=topics.values()).values_list("topic_id", flat=True)
        )
        through.objects.bulk_create(
            [through(community_id=self.community.id, topic_id=t.id) for t in topics.values() if t.id not in present],
            ignore_conflicts=True,
        )
        return topics

    def _import_users(self) -> None:
        for batch in _batched(self._rows("Users.xml"), self.batch_size):
            rows = []
            for row in batch:
                se_id = _int(row.get("Id"))
                created = self._in_range(row, "users")
                if se_id is None or created is None:
                    if se_id is None:
                        self.stats.skipped["users without an Id"] += 1
                    continue
                rows.append((se_id, created, row))
            existing = self._existing(User, [self.ext(f"user:{i}") for i, _, _ in rows])
            new = [(i, c, r) for i, c, r in rows if self.ext(f"user:{i}") not in existing]
            self.stats.existing["people"] += len(rows) - len(new)
            for se_id, _, _ in rows:
                if self.ext(f"user:{se_id}") in existing:
                    self._users[se_id] = existing[self.ext(f"user:{se_id}")]
            if not new:
                continue
            names = {i: self._username(r.get("DisplayName", ""), i) for i, _, r in new}
            taken = set(
                User.objects.filter(username__in=list(names.values())).values_list("username", flat=True)
            )
            users: list[dict[str, Any]] = []
            for se_id, created, _row in new:
                username = names[se_id]
                if username in taken:
                    username = f"{username}-{self.site}"[:150]
                users.append(
                    {
                        "username": username, "password": UNUSABLE_PASSWORD, "email": "", "first_name": "",
                        "last_name": "", "is_staff": False, "is_active": True, "is_superuser": False,
                        "date_joined": created, "last_login": None, "external_id": self.ext(f"user:{se_id}"),
                    }
                )
            bulk_insert_dicts(User, users)
            by_ext = self._existing(User, [u["external_id"] for u in users])
            now = timezone.now()
            profiles: list[dict[str, Any]] = []
            memberships: list[dict[str, Any]] = []
            for se_id, created, row in new:
                user_id = by_ext[self.ext(f"user:{se_id}")]
                self._users[se_id] = user_id
                about = row.get("AboutMe", "")
                profiles.append(
                    {
                        "user_id": user_id, "display_name": (row.get("DisplayName") or "")[:100],
                        "organization_id": None, "discipline": "", "job_title": "",
                        "location": (row.get("Location") or "")[:100], "timezone": "UTC",
                        "bio": html_to_text(sanitize_html(about))[:5000] if about else "", "languages": [],
                        "imported_reputation": _int(row.get("Reputation")),
                        "external_id": self.ext(f"user:{se_id}"), "updated_at": now,
                    }
                )
                memberships.append(
                    {
                        "community_id": self.community.id, "user_id": user_id, "role": Role.MEMBER,
                        "state": MembershipState.ACTIVE, "message": "", "invited_by_id": None,
                        "created_at": created, "joined_at": created, "updated_at": now,
                    }
                )
            bulk_insert_dicts(Profile, profiles)
            present = set(
                Membership.objects.filter(community=self.community, user_id__in=by_ext.values()).values_list(
                    "user_id", flat=True
                )
            )
            bulk_insert_dicts(Membership, [m for m in memberships if m["user_id"] not in present])
            self.stats.created["people"] += len(users)

    def _username(self, display_name: str, se_id: int) -> str:
        base = slugify(display_name)[:40] or "user"
        return f"{base}-{se_id}".replace("--", "-")

    def _import_badges(self) -> None:
        """Tag badges (TagBased=True) become declared expertise; others are counted only."""
        through = Profile.expertise.through
        for batch in _batched(self._rows("Badges.xml"), self.batch_size):
            tag_badges = []
            for row in batch:
                if self._in_range(row, "badges", key="Date") is None:
                    continue
                if row.get("TagBased") != "True":
                    self.stats.skipped["badges that are not about a tag (counted only)"] += 1
                    continue
                user_id = _int(row.get("UserId"))
                slug = topic_normalise(row.get("Name", ""))
                if user_id is None or not slug:
                    self.stats.skipped["badges without a user or tag"] += 1
                    continue
                tag_badges.append((user_id, slug))
            if not tag_badges:
                continue
            users = self._user_ids({u for u, _ in tag_badges})
            topics = {t.slug: t.id for t in Topic.objects.filter(slug__in={s for _, s in tag_badges})}
            profile_ids = dict(Profile.objects.filter(user_id__in=users.values()).values_list("user_id", "id"))
            links = []
            for se_user, slug in tag_badges:
                user_id = users.get(se_user)
                if user_id is None or slug not in topics:
                    self.stats.skipped["tag badges of unknown people or tags"] += 1
                    continue
                links.append(through(profile_id=profile_ids[user_id], topic_id=topics[slug]))
            before = through.objects.count()
            through.objects.bulk_create(links, ignore_conflicts=True)
            self.stats.created["expertise from tag badges"] += through.objects.count() - before

    def _import_posts(self) -> None:
        """Questions and answers in one pass over Posts.xml. A dump lists an answer after its question (ids grow
        with time), and each batch writes its questions before its answers; an answer whose question has not
        been seen yet is looked at again in a second pass, only if there is one."""
        unmatched: set[int] = set()
        for batch in _batched(self._rows("Posts.xml"), self.batch_size):
            questions, answers = [], []
            for row in batch:
                kind = row.get("PostTypeId")
                se_id = _int(row.get("Id"))
                if se_id is None:
                    self.stats.skipped["posts without an Id"] += 1
                    continue
                if kind == "4" and se_id in self._tag_by_excerpt:
                    self._excerpts[se_id] = row.get("Body", "")
                if kind == "1":
                    created = self._in_range(row, "questions")
                    if created is not None:
                        questions.append((se_id, created, row))
                elif kind == "2":
                    created = self._in_range(row, "answers")
                    if created is not None:
                        answers.append((se_id, created, row))
                elif kind in ("4", "5"):
                    self.stats.skipped["tag wiki posts (used as topic descriptions)"] += 1
                else:
                    self.stats.skipped[f"posts of type {kind} (not questions or answers)"] += 1
            self._import_questions(questions)
            unmatched |= self._import_answers(answers, defer_unmatched=True)
        if unmatched:
            for batch in _batched(self._rows("Posts.xml"), self.batch_size):
                answers = []
                for row in batch:
                    se_id = _int(row.get("Id"))
                    if se_id in unmatched and row.get("PostTypeId") == "2":
                        created = parse_date(row.get("CreationDate"))
                        assert created is not None  # checked by the first pass
                        answers.append((se_id, created, row))
                self._import_answers(answers, defer_unmatched=False)

    def _import_questions(self, questions: list[tuple[int, dt.datetime, dict[str, str]]]) -> None:
        if not questions:
            return
        thread_tags = Thread.tags.through
        existing = self._existing(Thread, [self.ext(i) for i, _, _ in questions])
        new = [(i, c, r) for i, c, r in questions if self.ext(i) not in existing]
        self.stats.existing["questions"] += len(questions) - len(new)
        for se_id, _, _ in questions:
            if self.ext(se_id) in existing:
                self._threads[se_id] = existing[self.ext(se_id)]
        for se_id, _, row in questions:
            accepted = _int(row.get("AcceptedAnswerId"))
            if accepted is not None:
                self._accepted[se_id] = accepted
        if not new:
            return
        owners = self._user_ids({_int(r.get("OwnerUserId")) or 0 for _, _, r in new})
        tag_names = {i: self._tags_of(r.get("Tags", "")) for i, _, r in new}
        topics = self._ensure_topics({topic_normalise(t): t for names in tag_names.values() for t in names})
        threads: list[dict[str, Any]] = []
        for se_id, created, row in new:
            owner = owners.get(_int(row.get("OwnerUserId")) or 0)
            if owner is None:
                self.stats.skipped["questions by a deleted user (kept, attributed to a deleted user)"] += 1
            up, down = self._votes.get(se_id, (0, 0))
            last = parse_date(row.get("LastActivityDate")) or created
            if self.until is not None and last >= self.until:
                last = created
            threads.append(
                {
                    "community_id": self.community.id, "kind": ThreadKind.QUESTION,
                    "title": (row.get("Title") or "(untitled)")[:200], "author_id": owner,
                    "created_at": created, "last_activity_at": last, "first_response_at": None,
                    "reply_count": 0, "score": up - down, "view_count": _int(row.get("ViewCount")) or 0,
                    "accepted_post_id": None, "idea_status": "", "idea_status_reason": "",
                    "duplicate_of_id": None, "is_locked": False, "is_pinned": False, "is_hidden": False,
                    "deleted_at": None, "deleted_by_id": None, "external_id": self.ext(se_id),
                }
            )
        ids = self._new_ids(Thread, len(threads))
        if ids is not None:
            for thread, pk in zip(threads, ids, strict=True):
                thread["id"] = pk
        bulk_insert_dicts(Thread, threads)
        if ids is not None:
            thread_ids = {str(t["external_id"]): int(t["id"]) for t in threads}
        else:
            thread_ids = self._existing(Thread, [t["external_id"] for t in threads])
        for se_id, _, _ in new:
            self._threads[se_id] = thread_ids[self.ext(se_id)]
        posts = [
            self._post(thread_ids[self.ext(i)], i, c, r, owners.get(_int(r.get("OwnerUserId")) or 0), opening=True)
            for i, c, r in new
        ]
        titles = {str(t["external_id"]): str(t["title"]) for t in threads}
        self._insert_posts(posts, titles=titles, tags={self.ext(i): n for i, n in tag_names.items()})
        # The threads are new, so only a tag named twice on one question could repeat a pair: a set drops it,
        # and the rows go in as plain tuples (an ORM bulk_create cost as much as inserting the posts).
        links = {
            (thread_ids[self.ext(i)], topics[topic_normalise(name)].id)
            for i, names in tag_names.items()
            for name in names
            if topic_normalise(name) in topics
        }
        bulk_insert(thread_tags, ["thread_id", "topic_id"], sorted(links))
        self.stats.created["questions"] += len(threads)

    @staticmethod
    def _tags_of(raw: str) -> list[str]:
        # "<quantum-gate><entanglement>" (or "|a|b|" in newer dumps)
        raw = raw.replace("><", "|").strip("<>|")
        return [t for t in raw.split("|") if t][:8]

    def _post(
        self, thread_id: int, se_id: int, created: dt.datetime, row: dict[str, str], owner: int | None, *, opening: bool
    ) -> dict[str, Any]:
        body = row.get("Body", "") or ""
        safe = sanitize_html(body)
        up, down = self._votes.get(se_id, (0, 0))
        return {
            "thread_id": thread_id, "author_id": owner, "is_opening": opening, "body_source": body,
            "body_format": "html", "body_html": safe, "body_text": html_to_text(safe), "created_at": created,
            "edited_at": parse_date(row.get("LastEditDate")), "version": 1, "upvotes": up, "downvotes": down,
            "is_hidden": False, "deleted_at": None, "deleted_by_id": None, "external_id": self.ext(se_id),
        }

    def _insert_posts(
        self, posts: list[dict[str, Any]], *, titles: dict[str, str] | None = None, tags: dict[str, list[str]] | None = None
    ) -> None:
        """Posts and their first revision (the text as imported)."""
        new_ids = self._new_ids(Post, len(posts))
        if new_ids is not None:
            for post, pk in zip(posts, new_ids, strict=True):
                post["id"] = pk
        bulk_insert_dicts(Post, posts)
        if new_ids is not None:
            ids = {str(p["external_id"]): int(p["id"]) for p in posts}
        else:
            ids = self._existing(Post, [p["external_id"] for p in posts])
        bulk_insert_dicts(
            Revision,
            [
                {
                    "post_id": ids[p["external_id"]], "number": 1, "editor_id": p["author_id"],
                    "created_at": p["created_at"], "title": (titles or {}).get(p["external_id"], ""),
                    "tags": [topic_normalise(t) for t in (tags or {}).get(p["external_id"], [])],
                    "body_source": p["body_source"], "note": "Imported",
                }
                for p in posts
            ],
        )

    def _import_answers(
        self, answers: list[tuple[int, dt.datetime, dict[str, str]]], *, defer_unmatched: bool
    ) -> set[int]:
        """Write the answers whose question is imported; returns the ids of the others when ``defer_unmatched``
        (else they are skipped: their question is missing)."""
        if not answers:
            return set()
        existing = self._existing(Post, [self.ext(i) for i, _, _ in answers])
        new = [(i, c, r) for i, c, r in answers if self.ext(i) not in existing]
        self.stats.existing["answers"] += len(answers) - len(new)
        if not new:
            return set()
        wanted = {_int(r.get("ParentId")) or 0 for _, _, r in new} - self._threads.keys()
        if wanted:
            found = self._existing(Thread, [self.ext(i) for i in wanted])
            self._threads.update({i: found[self.ext(i)] for i in wanted if self.ext(i) in found})
        owners = self._user_ids({_int(r.get("OwnerUserId")) or 0 for _, _, r in new})
        posts, unmatched = [], set()
        for se_id, created, row in new:
            thread_id = self._threads.get(_int(row.get("ParentId")) or 0)
            if thread_id is None:
                if defer_unmatched:
                    unmatched.add(se_id)
                else:
                    self.stats.skipped["answers whose question is missing"] += 1
                continue
            owner = owners.get(_int(row.get("OwnerUserId")) or 0)
            if owner is None:
                self.stats.skipped["answers by a deleted user (kept, attributed to a deleted user)"] += 1
            posts.append(self._post(thread_id, se_id, created, row, owner, opening=False))
        self._insert_posts(posts)
        self.stats.created["answers"] += len(posts)
        return unmatched

    def _set_accepted_answers(self) -> None:
        items = list(self._accepted.items())
        for start in range(0, len(items), self.batch_size):
            chunk = items[start : start + self.batch_size]
            threads = self._existing(Thread, [self.ext(q) for q, _ in chunk])
            answers = dict(
                Post.objects.filter(
                    external_id__in=[self.ext(a) for _, a in chunk], is_opening=False, thread__community=self.community
                ).values_list("external_id", "id")
            )
            current = dict(Thread.objects.filter(id__in=threads.values()).values_list("id", "accepted_post_id"))
            updates = []
            for question, answer in chunk:
                thread_id = threads.get(self.ext(question))
                post_id = answers.get(self.ext(answer))
                if thread_id is None:
                    continue
                if post_id is None:
                    self.stats.skipped["accepted answers not imported (missing or after --until)"] += 1
                    continue
                if current.get(thread_id) != post_id:
                    updates.append(Thread(id=thread_id, accepted_post_id=post_id))
            Thread.objects.bulk_update(updates, ["accepted_post"])
            self.stats.created["accepted answers"] += len(updates)

    def _import_comments(self) -> None:
        for batch in _batched(self._rows("Comments.xml"), self.batch_size):
            rows = []
            for row in batch:
                se_id = _int(row.get("Id"))
                created = self._in_range(row, "comments")
                if se_id is None or created is None:
                    continue
                rows.append((se_id, created, row))
            existing = self._existing(Comment, [self.ext(f"comment:{i}") for i, _, _ in rows])
            new = [(i, c, r) for i, c, r in rows if self.ext(f"comment:{i}") not in existing]
            self.stats.existing["comments"] += len(rows) - len(new)
            if not new:
                continue
            posts = self._existing(Post, [self.ext(_int(r.get("PostId")) or 0) for _, _, r in new])
            owners = self._user_ids({_int(r.get("UserId")) or 0 for _, _, r in new})
            comments = []
            for se_id, created, row in new:
                post_id = posts.get(self.ext(_int(row.get("PostId")) or 0))
                if post_id is None:
                    self.stats.skipped["comments on posts not imported"] += 1
                    continue
                text = row.get("Text", "") or ""
                comments.append(
                    {
                        "post_id": post_id, "author_id": owners.get(_int(row.get("UserId")) or 0),
                        "body_source": text, "body_html": render_inline(text), "created_at": created,
                        "score": _int(row.get("Score")) or 0, "deleted_at": None,
                        "external_id": self.ext(f"comment:{se_id}"),
                    }
                )
            bulk_insert_dicts(Comment, comments)
            self.stats.created["comments"] += len(comments)

    def _import_links(self) -> None:
        related_through = Thread.related.through
        for batch in _batched(self._rows("PostLinks.xml"), self.batch_size):
            links = []
            for row in batch:
                if self._in_range(row, "post links") is None:
                    continue
                kind = row.get("LinkTypeId")
                if kind not in ("1", "3"):
                    self.stats.skipped[f"post links of type {kind}"] += 1
                    continue
                links.append((_int(row.get("PostId")) or 0, _int(row.get("RelatedPostId")) or 0, kind))
            ids = self._existing(Thread, [self.ext(i) for a, b, _ in links for i in (a, b)])
            duplicates, related = [], []
            current = dict(
                Thread.objects.filter(id__in=ids.values()).values_list("id", "duplicate_of_id")
            )
            for a, b, kind in links:
                source, target = ids.get(self.ext(a)), ids.get(self.ext(b))
                if source is None or target is None or source == target:
                    self.stats.skipped["post links to posts not imported"] += 1
                    continue
                if kind == "3" and current.get(source) in (None, target):
                    # A question keeps the first original it was closed against; further ones become related.
                    if current.get(source) is None:
                        duplicates.append(Thread(id=source, duplicate_of_id=target))
                        current[source] = target
                else:
                    related += [
                        related_through(from_thread_id=source, to_thread_id=target),
                        related_through(from_thread_id=target, to_thread_id=source),
                    ]
            Thread.objects.bulk_update(duplicates, ["duplicate_of"])
            self.stats.created["duplicate links"] += len(duplicates)
            if related:
                before = related_through.objects.count()
                related_through.objects.bulk_create(related, ignore_conflicts=True)
                self.stats.created["related links"] += (related_through.objects.count() - before) // 2

    def _refresh_counters(self) -> None:
        """Replies, first response by someone else and topic descriptions, computed in the database."""
        replies = Post.objects.filter(thread=OuterRef("pk"), is_opening=False, deleted_at=None)
        first_other = (
            replies.exclude(author_id=OuterRef("author_id"))
            .order_by()
            .values("thread")
            .annotate(first=Min("created_at"))
            .values("first")
        )
        count = replies.order_by().values("thread").annotate(n=Count("id")).values("n")
        Thread.objects.filter(community=self.community).update(
            reply_count=Coalesce(Subquery(count), 0),
            first_response_at=Subquery(first_other),
        )
        # Threads whose author is unknown (deleted user): any reply counts as a response.
        Thread.objects.filter(community=self.community, author__isnull=True, first_response_at__isnull=True).update(
            first_response_at=Subquery(
                replies.order_by().values("thread").annotate(first=Min("created_at")).values("first")
            )
        )
        Thread.objects.filter(community=self.community, last_activity_at__lt=F("created_at")).update(
            last_activity_at=F("created_at")
        )
        # A reply is activity: a thread is at least as recently active as its latest reply (a dump row without
        # LastActivityDate, a date past --until, or replies added by a later run).
        latest = replies.order_by().values("thread").annotate(last=Max("created_at")).values("last")
        Thread.objects.filter(community=self.community, last_activity_at__lt=Subquery(latest)).update(
            last_activity_at=Subquery(latest)
        )
        for post_id, body in self._excerpts.items():
            slug = self._tag_by_excerpt[post_id]
            text = html_to_text(sanitize_html(body))[:1000]
            Topic.objects.filter(slug=slug, description="").update(description=text)


    def _health_history(self) -> None:
        """The community's activity days and daily health snapshots from the imported timestamps, so its health
        page shows its whole history on the day it is imported (``insights``: one pass, not a query per day)."""
        from practica.insights.services import activity_backfill, snapshot_backfill

        if self.stats.total_created == 0:
            return
        activity_backfill(community=self.community)
        snapshot_backfill(community=self.community)

    def _index(self) -> None:
        """Index the community's threads and the imported people for search."""
        from practica.people.search import PERSON
        from practica.search import latent
        from practica.search.indexing import index_documents, reindex_community

        if self.stats.total_created == 0:
            return
        reindex_community(self.community.id)
        prefix = self.ext("user:")
        index_documents(PERSON, User.objects.filter(external_id__startswith=prefix).values_list("id", flat=True))
        # The new threads are placed in the latent space as indexed; enough of them change what it should be.
        if latent.is_stale():
            latent.build()


def site_used_elsewhere(site: str, community: Community | None) -> bool:
    """Whether another community than ``community`` holds content imported under this site name (its threads'
    external ids, or the community an import created for it). Such a name is refused: imports match what exists
    by ``se:<site>:<id>``, and a second community under the same name would mix the two sites."""
    site = slugify(site) or "site"
    other_threads = Thread.objects.filter(external_id__startswith=f"se:{site}:")
    other_communities = Community.objects.filter(external_id=f"se:{site}:site")
    if community is not None:
        other_threads = other_threads.exclude(community=community)
        other_communities = other_communities.exclude(pk=community.pk)
    return other_threads.exists() or other_communities.exists()


def site_taken_message(site: str) -> str:
    # Says nothing of which community uses the name: it may be a private one.
    return (
        f"The site name “{slugify(site) or 'site'}” is already used by another community's import; "
        "choose another site name."
    )


def import_stackexchange(folder: str | os.PathLike[str], **options: Any) -> ImportStats:
    """Run an import (see :class:`StackExchangeImporter` for the options)."""
    return StackExchangeImporter(folder, **options).run()


def format_summary(stats: ImportStats) -> str:
    lines = ["Created:"]
    for kind in ("communities", "people", "topics", "expertise from tag badges", "questions", "answers",
                 "accepted answers", "comments", "duplicate links", "related links"):
        lines.append(f"  {kind:<28} {stats.created.get(kind, 0):>8,}")
    if any(stats.existing.values()):
        lines.append("Already present (unchanged):")
        lines += [f"  {k:<28} {v:>8,}" for k, v in sorted(stats.existing.items()) if v]
    if stats.skipped:
        lines.append("Skipped:")
        lines += [f"  {v:>8,}  {k}" for k, v in sorted(stats.skipped.items(), key=lambda kv: -kv[1])]
    rate = f" Questions and answers: {stats.posts_per_second:,.0f} posts/s." if stats.posts_per_second else ""
    lines.append(f"Done in {stats.seconds:.1f} s. {stats.total_created:,} new objects.{rate}")
    return "\n".join(lines)


__all__ = [
    "ImportError_", "ImportStats", "Progress", "StackExchangeImporter", "format_summary", "import_stackexchange",
    "site_taken_message", "site_used_elsewhere",
]
