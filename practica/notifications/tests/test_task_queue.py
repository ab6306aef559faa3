"""The task queue for real: a redis-server, the RQ backend and an ``rqworker`` process running a task end to end.

Every step runs in its own process against one file-based SQLite database in a temporary folder, as on a
server: the web process enqueues, the worker executes, and the test reads the worker's effect from the
database. Skipped (with the reason printed) when redis-server is not installed, unless PRACTICA_REQUIRE_REDIS=1
(CI), where its absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REDIS = shutil.which("redis-server")
REQUIRED = os.environ.get("PRACTICA_REQUIRE_REDIS") == "1"

pytestmark = pytest.mark.skipif(
    REDIS is None and not REQUIRED,
    reason="redis-server is not installed (set PRACTICA_REQUIRE_REDIS=1 to require it)",
)

ENQUEUE = """
import django
django.setup()
from django.db import transaction
from practica.accounts.models import User
from practica.communities.models import Community
from practica.notifications.models import Notification
from practica.notifications.services import notify
user = User.objects.create_user("queued", "queued@example.org", "pw-123456789")
community = Community.objects.create(name="Queue", slug="queue", domain="Tasks")
with transaction.atomic():
    notify(recipients=[user], kind="mention", subject="Sent by the worker", url="/q/", community=community)
n = Notification.objects.get()
print("enqueued", n.email_mode, n.email_delivery_id)
"""

CHECK = """
import django
django.setup()
from practica.notifications.models import Notification
n = Notification.objects.select_related("email_delivery").get()
print("delivery", n.email_delivery.status if n.email_delivery else None)
"""


def _run(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_a_real_worker_runs_a_task_enqueued_through_redis(redis_url: str, tmp_path: Path) -> None:
    mail_dir = tmp_path / "mail"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PRACTICA_TESTING"))},
        "DJANGO_SETTINGS_MODULE": "practica.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "PRACTICA_VAR_DIR": str(tmp_path),
        "PRACTICA_TASK_BACKEND": "rq",
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"file://{mail_dir}",
    }
    _run(["manage.py", "migrate", "--noinput", "-v0"], env, timeout=300)

    enqueued = _run(["-c", ENQUEUE], env)
    assert "enqueued immediate None" in enqueued, "nothing ran before the worker"

    _run(["manage.py", "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default"], env)

    assert "delivery sent" in _run(["-c", CHECK], env)
    messages = [p.read_text() for p in mail_dir.iterdir()]
    assert len(messages) == 1 and "Sent by the worker" in messages[0]
