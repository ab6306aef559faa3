"""Discussions benchmark (issue 3): one community with 100,000 threads and 500,000 posts.

``build`` creates the data in bulk (``bulk_create`` in batches, one transaction, every counter the services keep
— ``reply_count``, ``first_response_at``, ``last_activity_at``, ``score``, ``upvotes``, ``accepted_post`` —
computed from the generated rows so they agree with them); ``verify`` checks that they do; ``measure`` times the
pages through Django's test ``Client``, signed in as a coordinator so every page runs its heaviest path.

The data are generated from a fixed seed, so two runs at the same scale build the same rows (times aside:
everything is placed relative to the moment of the run).

* ~2,000 people with profiles (users are bulk-created, which skips the post_save signal that makes profiles,
  so the profiles are bulk-created too), all active members; one coordinator (the creator of the community,
  made through ``communities.services.community_create``), a few core members.
* 100,000 threads over 3 years (60 % questions, 28 % discussions, 12 % ideas), 0 to 4 tags each from the
  community's 40 topics, a few pinned, hidden, locked and deleted ones; authors follow a long-tailed
  distribution, so most unheard threads are not their author's first.
* 500,000 posts: one opening post per thread and 400,000 replies. 30 % of the threads have no reply and 3 % of
  the others only replies by their author, so the unheard queue holds about a third of the community.
* One question (``external_id="bench-big-thread"``) with exactly 200 replies, each with one comment, about
  half of them up-voted (a few by the coordinator, so "my votes" is not empty), and an accepted answer; it is
  linked with 12 other threads, 3 of them marked as its duplicates (``link_big_thread``).
* Nine small neighbour communities without threads, so the database looks like a network, not a single
  community (two of them also coordinated by the benchmark's coordinator).
* Up-votes on ~50 % of opening posts and ~15 % of replies (real ``Vote`` rows, never by the author), one
  comment under ~4 % of the posts.

Bodies are a dozen Markdown templates rendered once each with ``practica.lib.markdown.render_markdown`` (so
``body_html`` is the sanitised HTML the app itself stores) and reused. Not generated: revisions, mentions,
flags and moderation logs (no measured page reads them).
"""

from __future__ import annotations

import gc
import itertools
import math
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SLUG = "bench-practice"
BIG_THREAD_EXTERNAL_ID = "bench-big-thread"
BIG_REPLIES = 200
BATCH_SIZE = 5000
SEED = 3
YEARS = 3
UNHEARD_SHARE = 0.30  # threads with no reply at all
AUTHOR_ONLY_SHARE = 0.03  # of the threads with replies: only their author replied (also unheard)
FULL_SIZES = {"users": 2000, "threads": 100_000, "posts": 500_000}
OTHER_COMMUNITIES = 9  # small neighbours without threads: the benchmarked community is not alone in the database

TOPICS = [
    "Well integrity", "Drilling", "Cementing", "Casing design", "Mud logging", "Reservoir modelling",
    "Production chemistry", "Corrosion", "Pipeline inspection", "Flow assurance", "Subsea systems",
    "Safety culture", "Incident investigation", "Risk assessment", "Permit to work", "Maintenance planning",
    "Reliability engineering", "Condition monitoring", "Vibration analysis", "Lubrication", "Pumps",
    "Compressors", "Heat exchangers", "Process control", "Alarm management", "Instrumentation",
    "Electrical safety", "Environmental compliance", "Emissions", "Water treatment", "Asset management",
    "Data quality", "Digital twins", "Machine learning", "Onboarding", "Mentoring", "Lessons learned",
    "Knowledge management", "Contractor management", "Procurement",
]
FIRST_NAMES = [
    "Ada", "Bjorn", "Chen", "Dara", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas", "Kemal", "Lena",
    "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tomoko", "Uma", "Viktor", "Wen", "Yusuf",
]
LAST_NAMES = [
    "Andersen", "Bakker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haugen", "Ivanova", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Pereira", "Rossi", "Silva", "Tanaka", "Virtanen",
]
DISCIPLINES = ["Drilling", "Production", "Maintenance", "HSE", "Subsea", "Process", "Data", "Geoscience"]
QUESTION_TITLES = [
    "How do you {verb} {object} when {situation}?",
    "What is the best way to {verb} {object}?",
    "Has anyone had to {verb} {object} when {situation}?",
    "Why does our {object} fail when {situation}?",
]
DISCUSSION_TITLES = [
    "{topic}: lessons from {situation}",
    "How we {verb} {object} — what worked and what did not",
    "{topic} in practice: {object}",
]
IDEA_TITLES = [
    "Idea: a shared checklist to {verb} {object}",
    "Proposal: {verb} {object} before {situation}",
    "Idea: monthly session on {topic}",
]
VERBS = ["inspect", "qualify", "monitor", "document", "hand over", "test", "plan", "audit", "replace", "review"]
OBJECTS = [
    "casing wear", "annulus pressure", "the cement bond log", "pump seals", "corrosion coupons",
    "the permit-to-work backlog", "alarm floods", "the lessons-learned register", "vibration baselines",
    "contractor onboarding", "subsea valves", "the mud weight window", "heat exchanger fouling",
]
SITUATIONS = [
    "the rig is on standby", "the vendor data is incomplete", "production must keep running",
    "the crew changes every two weeks", "the sensors disagree", "the budget is frozen", "a shutdown is near",
    "nobody owns the procedure", "the site is remote", "the regulator asks for evidence",
]

OPENING_TEMPLATES = [
    "We keep running into this on our site and I would like to hear how others handle it.\n\n"
    "**Context:** a mature field, three crews, and a maintenance plan that was written ten years ago.\n\n"
    "- What do you check first?\n- Who signs it off?\n- How do you record the result?\n\n"
    "Any pointer to a procedure or a [reference](https://example.org/guide) is welcome.",
    "Short version: the readings drift after each shift change.\n\n"
    "```python\nreadings = load('site-7')\nprint(readings.drift(per='shift'))\n```\n\n"
    "Has anyone seen this pattern, and what fixed it for you?",
    "I am new to this community and to the discipline. Our team asked me to find out what *good* looks like "
    "here.\n\n| Step | Owner | Evidence |\n|---|---|---|\n| Plan | Lead | Work order |\n"
    "| Execute | Crew | Checklist |\n| Review | Engineer | Report |\n\nIs this table missing something obvious?",
    "Sharing what we tried last quarter so others do not repeat our mistakes.\n\n"
    "1. We changed the inspection interval.\n2. We trained two people as focal points.\n"
    "3. We moved the records into one register.\n\n> The third step mattered most.\n\n"
    "What would you add or do differently?",
    "Could we agree on a common template for this? Every site writes it differently, which makes "
    "comparisons hard. A one-page format with the **hazard**, the **barrier** and the **verification** "
    "would already help a lot.",
    "Quick question: which standard do you follow for this, and do you apply it as written or with local "
    "changes? We follow the 2019 edition but our auditors keep asking about the newer one.",
]
REPLY_TEMPLATES = [
    "We had the same issue. Moving the check to the start of the shift fixed most of it.",
    "Have a look at the *root cause* first: in our case the procedure was fine but nobody had been trained "
    "on it.",
    "+1 — we use a simple checklist:\n\n- isolate\n- verify\n- record\n\nIt takes five minutes and saves "
    "hours.",
    "It depends on the pressure rating. Above **10,000 psi** we always involve the vendor; below that the "
    "site engineer decides.",
    "Our register lives in a spreadsheet, but the important part is that **one person** owns it.",
    "I would not change the interval before you have at least a year of data. See "
    "[our write-up](https://example.org/write-up) for the numbers.",
    "`grep -c FAIL report.txt` on the export gives a quick count before you dig deeper.",
    "Agreed. We tried the opposite approach and regretted it within a month.",
]
COMMENT_TEMPLATES = [
    "Which edition of the standard is this?",
    "Thanks, that is exactly what I needed.",
    "Could you share the checklist?",
    "Same here — see the **second** step.",
]


@dataclass(frozen=True)
class Sizes:
    users: int
    threads: int
    posts: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        threads = max(200, round(FULL_SIZES["threads"] * scale))
        # Every thread has its opening post; the big thread 200 replies; each answered thread at least one.
        posts = max(round(FULL_SIZES["posts"] * scale), 2 * threads + BIG_REPLIES)
        users = max(BIG_REPLIES + 50, round(FULL_SIZES["users"] * scale))
        return cls(users=users, threads=threads, posts=posts)


@dataclass
class PostPlan:
    ts: float
    thread: int  # index into the thread arrays
    author: int  # user index
    is_opening: bool
    template: int
    upvotes: int
    voters: list[int] = field(default_factory=list)
    comment_ts: float | None = None
    comment_author: int = 0


@dataclass
class Plan:
    """Every row to insert, with the counters already derived from them (indexes, not database ids)."""

    sizes: Sizes
    now_ts: float
    start_ts: float
    big: int
    kinds: list[str]
    titles: list[str]
    authors: list[int]
    created: list[float]
    tags: list[list[int]]
    reply_count: list[int]
    first_response: list[float | None]
    last_activity: list[float]
    score: list[int]
    accepted: list[int | None]  # index into posts (after sorting) of the accepted reply
    pinned: set[int]
    hidden: set[int]
    locked: set[int]
    deleted: set[int]
    posts: list[PostPlan]  # sorted by time: the position is the id offset
    core_members: set[int]


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def plan(sizes: Sizes, *, now_ts: float, seed: int = SEED) -> Plan:
    """Generate the data set in memory (no database access)."""
    rng = random.Random(seed)
    n, n_users = sizes.threads, sizes.users
    start_ts = now_ts - YEARS * 365 * 86400
    span = (now_ts - 3600) - start_ts  # the newest thread is an hour old
    created = [start_ts + span * (i + rng.random()) / n for i in range(n)]  # increasing with the index
    big = n - max(1, n // 100)  # a recent thread (about 11 days old at full scale)

    kinds = rng.choices(["question", "discussion", "idea"], weights=[60, 28, 12], k=n)
    kinds[big] = "question"
    # Long-tailed activity: a few people write a lot. User 0 is the coordinator.
    people = list(range(1, n_users))
    rng.shuffle(people)
    author_cum = list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(people))))
    authors = rng.choices(people, cum_weights=author_cum, k=n)
    replier_cum = list(itertools.accumulate(1 / (rank + 1) ** 0.6 for rank in range(len(people))))
    topic_cum = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(TOPICS))))

    titles = []
    for kind in kinds:
        pattern = rng.choice(
            QUESTION_TITLES if kind == "question" else DISCUSSION_TITLES if kind == "discussion" else IDEA_TITLES
        )
        titles.append(
            pattern.format(
                verb=rng.choice(VERBS), object=rng.choice(OBJECTS), situation=rng.choice(SITUATIONS),
                topic=rng.choice(TOPICS),
            )
        )
    titles[big] = "How do you hand over well integrity status between crews? (200 answers)"
    tags = []
    for _ in range(n):
        k = rng.choices([0, 1, 2, 3, 4], weights=[10, 30, 35, 18, 7])[0]
        tags.append(sorted(set(rng.choices(range(len(TOPICS)), cum_weights=topic_cum, k=k))))

    # Replies per thread: none for 30 %, at least one for the others, a long tail; the big thread exactly 200.
    others = [i for i in range(n) if i != big]
    silent = set(rng.sample(others, round(UNHEARD_SHARE * n)))
    answered = [i for i in others if i not in silent]
    reply_count = [0] * n
    reply_count[big] = BIG_REPLIES
    for i in answered:
        reply_count[i] = 1
    extra = sizes.posts - n - BIG_REPLIES - len(answered)
    popularity = [min(rng.paretovariate(1.3), 40.0) for _ in answered]
    for i in rng.choices(answered, weights=popularity, k=extra):
        reply_count[i] += 1
    author_only = set(rng.sample(answered, round(AUTHOR_ONLY_SHARE * len(answered))))

    pinned = set(rng.sample(range(n // 10), 3))
    pool = [i for i in others if i not in pinned]
    hidden = set(rng.sample(pool, max(1, n * 3 // 1000)))
    deleted = set(rng.sample([i for i in pool if i not in hidden], max(1, n * 3 // 1000)))
    locked = set(rng.sample(pool, max(1, n * 5 // 1000)))

    posts: list[PostPlan] = []
    first_response: list[float | None] = [None] * n
    last_activity = [0.0] * n
    score = [0] * n
    accepted_plan: list[PostPlan | None] = [None] * n

    def voters_for(count: int, author: int) -> list[int]:
        if not count:
            return []
        chosen = rng.sample(range(n_users), min(count + 1, n_users))
        return [u for u in chosen if u != author][:count]

    def maybe_comment(post: PostPlan, always: bool = False) -> None:
        if always or rng.random() < 0.04:
            post.comment_ts = min(post.ts + rng.expovariate(1 / 7200), now_ts - 1)
            post.comment_author = rng.randrange(1, n_users)

    for i in range(n):
        author, t0, is_big = authors[i], created[i], i == big
        if is_big:
            upvotes = 40
        else:
            bucket = rng.random()
            upvotes = 0 if bucket < 0.5 else rng.randint(1, 2) if bucket < 0.85 else rng.randint(3, 8) if bucket < 0.98 else rng.randint(9, 40)
        opening = PostPlan(t0, i, author, True, rng.randrange(len(OPENING_TEMPLATES)), upvotes)
        opening.voters = voters_for(upvotes, author)
        maybe_comment(opening, always=is_big)
        posts.append(opening)
        score[i] = upvotes
        last = max(t0, opening.comment_ts or t0)

        count = reply_count[i]
        if count:
            if is_big:
                times = sorted(t0 + (now_ts - 120 - t0) * rng.random() for _ in range(count))
                repliers = [u for u in rng.sample(range(1, n_users), count + 1) if u != author][:count]
            else:
                t, times = t0, []
                for k in range(count):
                    t += rng.expovariate(1 / (6 * 3600 if k == 0 else 20 * 3600))
                    times.append(t)
                if times[-1] > now_ts - 60:  # squeeze the replies of recent threads into the time there was
                    factor = (now_ts - 60 - t0) / (times[-1] - t0)
                    times = [t0 + (x - t0) * factor for x in times]
                if i in author_only:
                    repliers = [author] * count
                else:
                    repliers = rng.choices(people, cum_weights=replier_cum, k=count)
            replies = []
            for ts, replier in zip(times, repliers, strict=True):
                if is_big:
                    up = rng.randint(1, 10) if rng.random() < 0.5 else 0
                else:
                    up = rng.randint(1, 3) if rng.random() < 0.15 else 0
                reply = PostPlan(ts, i, replier, False, rng.randrange(len(REPLY_TEMPLATES)), up)
                reply.voters = voters_for(up, replier)
                maybe_comment(reply, always=is_big)
                replies.append(reply)
                last = max(last, ts, reply.comment_ts or ts)
            if is_big:  # the coordinator has up-voted every 20th reply (their "my votes" on the page)
                for reply in replies[::20]:
                    if 0 not in reply.voters:
                        reply.voters.append(0)
                        reply.upvotes += 1
            posts.extend(replies)
            from_others = [r for r in replies if r.author != author]
            if from_others:
                first_response[i] = from_others[0].ts
                if kinds[i] == "question" and (is_big or rng.random() < 0.45):
                    accepted_plan[i] = rng.choice(from_others)
        last_activity[i] = last

    order = sorted(range(len(posts)), key=lambda k: (posts[k].ts, not posts[k].is_opening))
    posts = [posts[k] for k in order]
    position = {id(p): k for k, p in enumerate(posts)}
    accepted = [position[id(p)] if p is not None else None for p in accepted_plan]
    core = set(rng.sample(range(1, n_users), 15))
    return Plan(
        sizes=sizes, now_ts=now_ts, start_ts=start_ts, big=big, kinds=kinds, titles=titles, authors=authors,
        created=created, tags=tags, reply_count=reply_count, first_response=first_response,
        last_activity=last_activity, score=score, accepted=accepted, pinned=pinned, hidden=hidden, locked=locked,
        deleted=deleted, posts=posts, core_members=core,
    )


# --- Writing ---------------------------------------------------------------------------------------------


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


class RowWriter:
    """Insert plain tuples into a model's table: one ``executemany`` per batch (``COPY`` on PostgreSQL).

    ``bulk_create`` builds a model instance and prepares every value through its field for each row: for the
    500,000 posts that alone takes about two minutes, so the large tables go through this instead. Columns not
    in ``fields`` get their field's default (prepared once), so a column added later with a default needs no
    change here. Date-times are adapted by the database backend exactly as the ORM adapts them.
    """

    def __init__(self, model: Any, fields: list[str]) -> None:
        from django.db import connection, models
        from django.utils import timezone

        self.connection = connection
        ops = connection.ops
        layout: list[tuple[int, Any]] = []  # (index in the given row, adapter) or (-1, constant)
        for f in model._meta.concrete_fields:
            if f.attname in fields:
                adapt = None
                if isinstance(f, models.DateTimeField):
                    adapt = ops.adapt_datetimefield_value
                layout.append((fields.index(f.attname), adapt))
            else:
                if f.primary_key:
                    raise ValueError(f"{model.__name__}: give the primary key")
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    value = timezone.now()
                else:
                    value = f.get_default()
                layout.append((-1, f.get_db_prep_save(value, connection)))
        unknown = set(fields) - {f.attname for f in model._meta.concrete_fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no column for {sorted(unknown)}")
        self.layout = layout
        columns = ", ".join(ops.quote_name(f.column) for f in model._meta.concrete_fields)
        placeholders = ", ".join(["%s"] * len(layout))
        self.sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        self.copy_sql = f"COPY {ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"

    def _full(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = []
        for index, extra in self.layout:
            if index < 0:
                out.append(extra)
            else:
                value = row[index]
                out.append(extra(value) if extra is not None and value is not None else value)
        return tuple(out)

    def write(self, rows: Iterable[tuple[Any, ...]], batch_size: int = BATCH_SIZE) -> int:
        written = 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # executemany is one round trip per row on PostgreSQL; COPY streams the rows (psycopg 3).
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(self._full(row))
                        written += 1
                return written
            for chunk in _chunks(rows, batch_size):
                cursor.executemany(self.sql, [self._full(row) for row in chunk])
                written += len(chunk)
        return written


@dataclass
class BuildResult:
    seconds: float
    phases: dict[str, float]
    counts: dict[str, int]
    community_slug: str
    big_thread_id: int
    coordinator_username: str


class Timer:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = now - self._last
        self._last = now


def _render_templates() -> dict[str, list[tuple[str, str, str]]]:
    """(source, html, text) of every template, each rendered once by the app's own Markdown pipeline."""
    from practica.lib.markdown import render_markdown

    def render(sources: list[str]) -> list[tuple[str, str, str]]:
        out = []
        for source in sources:
            rendered = render_markdown(source)
            out.append((source, rendered.html, rendered.text))
        return out

    return {
        "opening": render(OPENING_TEMPLATES),
        "reply": render(REPLY_TEMPLATES),
        "comment": render(COMMENT_TEMPLATES),
    }


@dataclass
class ExtraText:
    """Words another benchmark adds to the generated text (the search benchmark's varied vocabulary).

    ``titles`` replaces the plan's thread titles; ``post_words(k, post)`` is a paragraph appended to the body of
    the ``k``-th post (in time order), or "" for none. Without it (the default) the data are unchanged.
    """

    titles: list[str]
    post_words: Callable[[int, PostPlan], str]


def build(
    scale: float = 1.0, *, log: Callable[[str], None] = print, extra_text: Callable[[Plan], ExtraText] | None = None
) -> BuildResult:
    """Create the community and its data in one transaction; returns the time it took and what it made."""

    sizes = Sizes.for_scale(scale)
    # Millions of small objects: the cyclic garbage collector would rescan them over and over for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(sizes, log=log, extra_text=extra_text)
    finally:
        if gc_was_enabled:
            gc.enable()
        gc.collect()


def _build(
    sizes: Sizes, *, log: Callable[[str], None], extra_text: Callable[[Plan], ExtraText] | None = None
) -> BuildResult:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from practica.accounts.models import User
    from practica.communities.models import Membership, MembershipState, Role, Stage, Visibility
    from practica.communities.services import community_create
    from practica.discussions.models import Comment, IdeaStatus, Post, Thread, Vote
    from practica.people.models import Profile
    from practica.topics.models import Topic

    started = time.perf_counter()
    timer = Timer()
    now_ts = float(int(time.time()))
    p = plan(sizes, now_ts=now_ts)
    extra = extra_text(p) if extra_text is not None else None
    if extra is not None:
        p.titles = extra.titles
    bodies = _render_templates()
    timer.lap("generate in memory")
    log(f"  planned {sizes.threads:,} threads, {len(p.posts):,} posts, {sizes.users:,} people "
        f"({timer.phases['generate in memory']:.1f} s)")

    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            # For the build only: the connection is closed afterwards, so the pages run with the settings' PRAGMAs.
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB
            cursor.execute("PRAGMA temp_store=MEMORY")

    counts: dict[str, int] = {}
    with transaction.atomic():
        # People: bulk_create skips the post_save signal that gives each account its profile, so profiles too.
        user_base = _next_id(User)
        unusable = make_password(None)
        joined0 = _dt(p.start_ts - 30 * 86400)
        users = []
        for u in range(sizes.users):
            first, last = FIRST_NAMES[u % len(FIRST_NAMES)], LAST_NAMES[(u // len(FIRST_NAMES)) % len(LAST_NAMES)]
            username = "bench-coordinator" if u == 0 else f"bench{u:05d}"
            users.append(
                User(
                    id=user_base + u, username=username, email=f"{username}@example.org", password=unusable,
                    first_name=first, last_name=last, date_joined=joined0,
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        Profile.objects.bulk_create(
            [
                Profile(
                    user_id=user.id, display_name=f"{user.first_name} {user.last_name}",
                    discipline=DISCIPLINES[k % len(DISCIPLINES)], timezone="UTC",
                )
                for k, user in enumerate(users)
            ],
            batch_size=BATCH_SIZE,
        )
        counts["users"] = len(users)
        timer.lap("people and profiles")

        coordinator = User.objects.get(id=user_base)
        community = community_create(
            creator=coordinator, name="Bench Practice", slug=SLUG,
            domain="Benchmark community: how practitioners keep wells, plants and pipelines safe.",
            topics=TOPICS, visibility=Visibility.PUBLIC, stage=Stage.MATURING,
        )
        # The rest of the network: a few small communities, as in any real installation (with a single
        # community in the database SQLite's planner makes choices it makes nowhere else; see docs/benchmarks.md).
        for n in range(OTHER_COMMUNITIES):
            creator = coordinator if n < 2 else User.objects.get(id=user_base + 1 + n)
            community_create(
                creator=creator, name=f"Neighbour Practice {n + 1}", slug=f"bench-neighbour-{n + 1}",
                domain="Another community of the same network.", topics=TOPICS[n::OTHER_COMMUNITIES],
                visibility=Visibility.PUBLIC if n % 3 else Visibility.MEMBERS_ONLY,
            )
        counts["other communities"] = OTHER_COMMUNITIES
        topic_ids = dict(Topic.objects.filter(slug__in=[t.slug for t in community.topics.all()]).values_list("name", "id"))
        topic_id_by_index = [topic_ids[name] for name in TOPICS]
        Membership.objects.bulk_create(
            [
                Membership(
                    community=community, user_id=user_base + u,
                    role=Role.CORE if u in p.core_members else Role.MEMBER,
                    state=MembershipState.ACTIVE, created_at=joined0, joined_at=joined0,
                )
                for u in range(1, sizes.users)
            ],
            batch_size=BATCH_SIZE,
        )
        counts["memberships"] = sizes.users
        timer.lap("community and memberships")

        thread_base, post_base = _next_id(Thread), _next_id(Post)
        thread_fields = [
            "id", "community_id", "kind", "title", "author_id", "created_at", "last_activity_at",
            "first_response_at", "reply_count", "score", "view_count", "accepted_post_id", "idea_status",
            "is_locked", "is_pinned", "is_hidden", "deleted_at", "deleted_by_id", "external_id",
        ]
        thread_rows = (
            (
                thread_base + i, community.id, p.kinds[i], p.titles[i], user_base + p.authors[i], _dt(p.created[i]),
                _dt(p.last_activity[i]),
                _dt(fr) if (fr := p.first_response[i]) is not None else None,
                p.reply_count[i], p.score[i], p.reply_count[i] * 7 + (i % 50),
                post_base + acc if (acc := p.accepted[i]) is not None else None,
                (IdeaStatus.OPEN if i % 3 else IdeaStatus.PLANNED) if p.kinds[i] == "idea" else "",
                i in p.locked, i in p.pinned, i in p.hidden,
                _dt(min(p.last_activity[i] + 60, now_ts)) if i in p.deleted else None,
                user_base if i in p.deleted else None,
                BIG_THREAD_EXTERNAL_ID if i == p.big else "",
            )
            for i in range(sizes.threads)
        )
        counts["threads"] = RowWriter(Thread, thread_fields).write(thread_rows)
        timer.lap("threads")

        Through = Thread.tags.through
        link_base = _next_id(Through)
        tag_rows = (
            (link_base + k, thread_base + i, topic_id_by_index[t])
            for k, (i, t) in enumerate((i, t) for i in range(sizes.threads) for t in p.tags[i])
        )
        counts["thread tags"] = RowWriter(Through, ["id", "thread_id", "topic_id"]).write(tag_rows)
        timer.lap("thread tags")

        opening_bodies, reply_bodies = bodies["opening"], bodies["reply"]
        post_fields = [
            "id", "thread_id", "author_id", "is_opening", "body_source", "body_format", "body_html", "body_text",
            "created_at", "upvotes",
        ]

        def post_rows() -> Iterator[tuple[Any, ...]]:
            for k, pp in enumerate(p.posts):
                source, html, text = (opening_bodies if pp.is_opening else reply_bodies)[pp.template]
                if extra is not None and (words := extra.post_words(k, pp)):
                    source, html, text = f"{source}\n\n{words}", f"{html}\n<p>{words}</p>", f"{text}\n\n{words}"
                yield (
                    post_base + k, thread_base + pp.thread, user_base + pp.author, pp.is_opening, source,
                    "markdown", html, text, _dt(pp.ts), pp.upvotes,
                )

        counts["posts"] = RowWriter(Post, post_fields).write(post_rows())
        counts["replies"] = counts["posts"] - sizes.threads
        timer.lap("posts")

        vote_base = _next_id(Vote)
        vote_rows = (
            (vote_base + n, post_id, user_id, created)
            for n, (post_id, user_id, created) in enumerate(
                (post_base + k, user_base + voter, _dt(min(pp.ts + 3600 * (j + 1), now_ts)))
                for k, pp in enumerate(p.posts)
                for j, voter in enumerate(pp.voters)
            )
        )
        counts["votes"] = RowWriter(Vote, ["id", "post_id", "user_id", "created_at"]).write(vote_rows)
        timer.lap("votes")

        comment_base = _next_id(Comment)
        comment_bodies = bodies["comment"]
        commented = [(k, pp) for k, pp in enumerate(p.posts) if pp.comment_ts is not None]
        comment_rows = (
            (
                comment_base + j, post_base + k, user_base + pp.comment_author,
                comment_bodies[j % len(comment_bodies)][0], comment_bodies[j % len(comment_bodies)][1],
                _dt(pp.comment_ts or pp.ts),
            )
            for j, (k, pp) in enumerate(commented)
        )
        counts["comments"] = RowWriter(
            Comment, ["id", "post_id", "author_id", "body_source", "body_html", "created_at"]
        ).write(comment_rows)
        timer.lap("comments")

        counts["links of the big thread"] = link_big_thread(thread_base + p.big, [thread_base + i for i in p.deleted | p.hidden])
        timer.lap("links")

        if not sqlite:  # explicit ids: move the sequences past them
            from django.core.management.color import no_style

            models = [User, Profile, Membership, Thread, Through, Post, Vote, Comment]
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(statement)
        timer.lap("sequences")
    timer.lap("commit")  # includes the foreign-key checks deferred to the commit
    seconds = time.perf_counter() - started
    connection.close()  # drop the build-only PRAGMAs
    counts["unheard (queue size)"] = sum(
        1 for i in range(sizes.threads)
        if p.first_response[i] is None and i not in p.deleted and i not in p.hidden
    )
    return BuildResult(
        seconds=seconds, phases=timer.phases, counts=counts, community_slug=SLUG,
        big_thread_id=thread_base + p.big, coordinator_username="bench-coordinator",
    )


LINKED_WITH_BIG = 12  # threads linked with the big thread (its page lists 10 of them, "and 2 more")
DUPLICATES_OF_BIG = 3  # of which marked as duplicates of it


def link_big_thread(big_thread_id: int, skip: Iterable[int] = ()) -> int:
    """Link the big thread with ``LINKED_WITH_BIG`` others (``Thread.related``, both ways), ``DUPLICATES_OF_BIG``
    of them marked as its duplicates, as people linking threads in their posts would: its page and API then read
    a full "Linked" list. Threads spread over the community, never deleted or hidden ones; the same ones every
    run. Nothing happens when the big thread has links already (a reused database). Returns the links made."""
    from practica.discussions.models import Thread

    through = Thread.related.through
    if through.objects.filter(from_thread_id=big_thread_id).exists():
        return 0
    avoid = set(skip) | {big_thread_id}
    ids = list(Thread.objects.exclude(id__in=avoid).order_by("id").values_list("id", flat=True)[:: 997][:LINKED_WITH_BIG])
    through.objects.bulk_create(
        [through(from_thread_id=a, to_thread_id=b) for other in ids for a, b in ((big_thread_id, other), (other, big_thread_id))]
    )
    Thread.objects.filter(id__in=ids[:DUPLICATES_OF_BIG]).update(duplicate_of_id=big_thread_id)
    return len(ids)


def analyze() -> float:
    """Refresh the planner's statistics (``ANALYZE``; ``VACUUM ANALYZE`` on PostgreSQL, as autovacuum would)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.perf_counter() - started


def existing_data() -> tuple[int | None, int]:
    """(id of the benchmark's big thread if the data exist, number of accounts in the database)."""
    from practica.accounts.models import User
    from practica.discussions.models import Thread

    big = Thread.objects.filter(external_id=BIG_THREAD_EXTERNAL_ID, community__slug=SLUG).values_list("id", flat=True)
    return (big[0] if big else None), User.objects.count()


# --- Checking ----------------------------------------------------------------------------------------------


def verify() -> list[str]:
    """Compare every counter with the rows it counts; returns the problems (empty when all agree)."""
    from django.db.models import Count, F, Max, Min

    from practica.discussions.models import Comment, Post, Thread, Vote

    threads = {
        row[0]: row[1:]
        for row in Thread.objects.filter(community__slug=SLUG).values_list(
            "id", "reply_count", "first_response_at", "last_activity_at", "score", "accepted_post_id", "created_at"
        )
    }
    replies = Post.objects.filter(thread__community__slug=SLUG, is_opening=False, deleted_at=None)
    reply_stats = {
        row["thread_id"]: row
        for row in replies.order_by().values("thread_id").annotate(n=Count("id"), last=Max("created_at"))
    }
    first = dict(
        replies.exclude(author_id=F("thread__author_id"))
        .order_by().values("thread_id").annotate(first=Min("created_at")).values_list("thread_id", "first")
    )
    openings = dict(
        Post.objects.filter(thread__community__slug=SLUG, is_opening=True).values_list("thread_id", "upvotes")
    )
    last_comment = dict(
        Comment.objects.filter(post__thread__community__slug=SLUG)
        .order_by().values("post__thread_id").annotate(last=Max("created_at")).values_list("post__thread_id", "last")
    )
    accepted_ok = set(
        Post.objects.filter(thread__community__slug=SLUG, is_opening=False, accepted_in__isnull=False)
        .values_list("id", flat=True)
    )
    problems: list[str] = []
    for tid, (n, first_at, last_at, score, accepted_id, created_at) in threads.items():
        stats = reply_stats.get(tid)
        expected_last = max(d for d in (created_at, stats and stats["last"], last_comment.get(tid)) if d)
        if n != (stats["n"] if stats else 0):
            problems.append(f"thread {tid}: reply_count {n} but {stats['n'] if stats else 0} replies")
        if first_at != first.get(tid):
            problems.append(f"thread {tid}: first_response_at {first_at} but first reply by others {first.get(tid)}")
        if last_at != expected_last:
            problems.append(f"thread {tid}: last_activity_at {last_at} but latest post/comment {expected_last}")
        if score != openings.get(tid):
            problems.append(f"thread {tid}: score {score} but opening post up-votes {openings.get(tid)}")
        if accepted_id is not None and accepted_id not in accepted_ok:
            problems.append(f"thread {tid}: accepted post {accepted_id} is not one of its replies")
        if len(problems) > 20:
            break
    vote_counts = dict(
        Vote.objects.filter(post__thread__community__slug=SLUG)
        .order_by().values("post_id").annotate(n=Count("id")).values_list("post_id", "n")
    )
    upvoted = dict(
        Post.objects.filter(thread__community__slug=SLUG, upvotes__gt=0).values_list("id", "upvotes")
    )
    if vote_counts != upvoted:
        wrong = sum(1 for k in set(vote_counts) | set(upvoted) if vote_counts.get(k) != upvoted.get(k))
        problems.append(f"{wrong} posts whose upvotes differ from their Vote rows")
    if Vote.objects.filter(post__thread__community__slug=SLUG, user_id=F("post__author_id")).exists():
        problems.append("some votes are on the voter's own post")
    return problems


# --- Measuring -------------------------------------------------------------------------------------------


@dataclass
class PageResult:
    name: str
    url: str
    status: str  # "ok", or why it was skipped
    median_ms: float = math.nan
    p95_ms: float = math.nan
    min_ms: float = math.nan
    cpu_median_ms: float = math.nan  # this process's CPU time: less sensitive to other work on the machine
    queries: int = 0
    sql_ms: float = math.nan
    bytes: int = 0
    check: str = ""
    captured: list[dict[str, Any]] = field(default_factory=list)


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 50 samples is the 48th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _time_page(
    client: Any, name: str, url: str, *, warmup: int, requests: int, check: Callable[[bytes], str] | None = None,
    optional: bool = False,
) -> PageResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    if response.status_code != 200:
        if optional:
            return PageResult(name, url, f"skipped: HTTP {response.status_code}")
        raise RuntimeError(f"{url} answered HTTP {response.status_code}")
    for _ in range(warmup - 1):
        client.get(url)
    with CaptureQueriesContext(connection) as capture:
        response = client.get(url)
    captured = list(capture.captured_queries)  # copy now: every request start empties the connection's log
    content = response.content
    samples, cpu = [], []
    gc.collect()
    for _ in range(requests):
        c0, t0 = time.process_time(), time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered HTTP {response.status_code} during the timed requests")
    return PageResult(
        name=name, url=url, status="ok",
        median_ms=statistics.median(samples), p95_ms=_percentile(samples, 95), min_ms=min(samples),
        cpu_median_ms=statistics.median(cpu),
        queries=len(captured),
        sql_ms=sum(float(q["time"]) for q in captured) * 1000,
        bytes=len(content), check=check(content) if check else "",
        captured=captured,
    )


POST_MARK = b'<article class="post card'
CARD_MARK = b'<li class="thread-card'


def _url_exists(url: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(url.split("?")[0])
    except Resolver404:
        return False
    return True


def measure(
    *, big_thread_id: int, warmup: int = 5, requests: int = 50, log: Callable[[str], None] = print
) -> list[PageResult]:
    """Median and p95 server time of each page, through the test Client, signed in as the coordinator."""
    from django.test import Client

    from practica.accounts.models import User
    from practica.communities.models import Membership, Role

    coordinator = Client()
    coordinator.force_login(User.objects.get(username="bench-coordinator"))
    member = Client()
    member.force_login(
        Membership.objects.filter(community__slug=SLUG, role=Role.MEMBER).select_related("user").order_by("user_id")[0].user
    )

    def count_posts(content: bytes) -> str:
        start = content.find(b'id="linked"')
        linked = content[start : content.find(b"</section>", start)].count(b"<li>") if start >= 0 else 0
        return f"{content.count(POST_MARK)} posts shown, {linked} linked"

    def count_list(content: bytes) -> str:
        return f"{content.count(CARD_MARK)} threads shown"

    def count_rows(content: bytes) -> str:
        return f"{content.count(b'<tr>') - 1} threads shown"

    thread_url = f"/communities/{SLUG}/threads/{big_thread_id}/"
    pages = [
        ("Thread list, page 1", f"/communities/{SLUG}/threads/", count_list, coordinator),
        (f"Thread with {BIG_REPLIES} replies", thread_url, count_posts, coordinator),
        ("Unheard queue, page 1", f"/communities/{SLUG}/unheard/", count_rows, coordinator),
        ("Thread list, page 1, as a member", f"/communities/{SLUG}/threads/", count_list, member),
        (f"Thread with {BIG_REPLIES} replies, as a member", thread_url, count_posts, member),
        ("API: thread list, page 1", f"/api/v1/communities/{SLUG}/threads/", None, coordinator),
        (f"API: thread with {BIG_REPLIES} replies", f"/api/v1/threads/{big_thread_id}/", None, coordinator),
    ]
    results = []
    for name, url, check, client in pages:
        if not _url_exists(url):
            result = PageResult(name, url, "skipped: no such URL yet")
        else:
            optional = url.startswith("/api/")  # the API may not exist yet; the pages must answer
            result = _time_page(client, name, url, warmup=warmup, requests=requests, check=check, optional=optional)
        if result.status == "ok":
            log(
                f"  {name:42} median {result.median_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  "
                f"CPU {result.cpu_median_ms:7.1f} ms  {result.queries:3d} queries ({result.sql_ms:.0f} ms SQL)  "
                f"{result.check}"
            )
        else:
            log(f"  {name:42} {result.status}")
        results.append(result)
    return results


def explain(results: list[PageResult], *, log: Callable[[str], None] = print, min_ms: float = 0.0) -> None:
    """Print each measured page's queries with their time and the database's plan."""
    from django.db import connection

    for result in results:
        if result.status != "ok":
            continue
        log(f"\n=== {result.name}: {result.url}")
        for q in result.captured:
            ms = float(q["time"]) * 1000
            sql = q["sql"]
            log(f"\n--- {ms:.2f} ms: {sql[:2000]}")
            if ms < min_ms or not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    for row in cursor.fetchall():
                        log(f"    {row[0]:>3} {row[1]:>3}  {row[3]}")
                elif connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    for row in cursor.fetchall():
                        log(f"    {row[0]}")
