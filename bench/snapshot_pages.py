"""Save the HTML of every page of a demo database as three people see it, and compare two such snapshots.

    PRACTICA_VAR_DIR=/tmp/snap .venv/bin/python manage.py migrate && ... manage.py seed_demo   # once
    PRACTICA_VAR_DIR=/tmp/snap .venv/bin/python bench/snapshot_pages.py save /tmp/before
    ... change the code (a refactoring that must not change what people see) ...
    PRACTICA_VAR_DIR=/tmp/snap .venv/bin/python bench/snapshot_pages.py save /tmp/after
    .venv/bin/python bench/snapshot_pages.py compare /tmp/before /tmp/after

``save`` signs in as a coordinator of the demo (``demo``), a plain member (``malcolm.fraser``) and nobody, and
reads the pages reachable from a few start pages (breadth first, GET only, at most ``--pages`` per person),
through Django's test client in process. What changes from one request to the next is blanked before saving:
CSRF tokens, signed links (feeds, calendars), "5 minutes ago". ``compare`` lists the pages whose HTML differs
and shows the first lines of each difference; exit status 1 when any page differs or is missing.

Reading changes nothing worth keeping, but the pages record visits (views, the "peripheral" reads): use a
throw-away copy of the demo, and the same copy for both snapshots.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PEOPLE = {"coordinator": "demo", "member": "malcolm.fraser", "anonymous": None}
START_PAGES = ["/", "/communities/", "/search/?q=cement", "/experts/?q=cement", "/organizations/"]
SKIPPED = re.compile(r"logout|/delete|/leave|\.ics$|\.atom$|/admin/|/api/|/accounts/|/media/|/static/|/attachments/\d")
LINK_RE = re.compile(r'href="(/[^"#]*)"')
VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value="…"'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken": "…"'),
    (re.compile(r"\b[\w-]{10,}:[\w-]{4,}:[\w-]{20,}\b"), "SIGNED"),  # django.core.signing values in links
    (re.compile(r"\b\d+\xa0?(?:minute|hour|day|week|month|year)s?(?:,\s*\d+\xa0?(?:minute|hour|day|week|month|year)s?)?"), "N units"),
]


def _normalise(html: str) -> str:
    for pattern, replacement in VOLATILE:
        html = pattern.sub(replacement, html)
    return html


def _file_name(path: str) -> str:
    name = re.sub(r"[^\w.-]+", "_", path.strip("/")) or "home"
    return f"{name[:150]}.html"


def save(folder: Path, pages: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    os.environ.setdefault("PRACTICA_TESTING", "1")  # plain static files, no manifest
    os.environ["RATE_LIMITS"] = "search=off,search-anonymous=off"
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from practica.accounts.models import User

    setup_test_environment()
    for role, username in PEOPLE.items():
        client = Client()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        out = folder / role
        out.mkdir(parents=True, exist_ok=True)
        seen: set[str] = set()
        queue = deque(START_PAGES)
        while queue and len(seen) < pages:
            path = queue.popleft()
            if path in seen or SKIPPED.search(urlsplit(path).path):
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                (out / _file_name(path)).write_text(f"status {response.status_code}\n")
                continue
            html = response.content.decode()
            (out / _file_name(path)).write_text(_normalise(html))
            queue.extend(link for link in LINK_RE.findall(html) if link not in seen)
        print(f"{role}: {len(seen)} pages in {out}")


def compare(before: Path, after: Path, lines: int) -> int:
    differing = 0
    for role in PEOPLE:
        old, new = before / role, after / role
        names = sorted({p.name for p in old.glob("*.html")} | {p.name for p in new.glob("*.html")})
        for name in names:
            a = (old / name).read_text().splitlines() if (old / name).exists() else ["(missing)"]
            b = (new / name).read_text().splitlines() if (new / name).exists() else ["(missing)"]
            if a == b:
                continue
            differing += 1
            print(f"--- {role}/{name}")
            for line in list(difflib.unified_diff(a, b, lineterm="", n=1))[2 : 2 + lines]:
                print("   ", line[:200])
        print(f"{role}: {len(names)} pages compared")
    print(f"{differing} pages differ" if differing else "Every page is the same.")
    return 1 if differing else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    save_parser = sub.add_parser("save")
    save_parser.add_argument("folder", type=Path)
    save_parser.add_argument("--pages", type=int, default=250, help="at most this many pages per person")
    compare_parser = sub.add_parser("compare")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    compare_parser.add_argument("--lines", type=int, default=12, help="lines of each difference shown")
    args = parser.parse_args()
    if args.command == "save":
        save(args.folder, args.pages)
    else:
        sys.exit(compare(args.before, args.after, args.lines))


if __name__ == "__main__":
    main()
