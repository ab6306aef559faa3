"""The world of the authorisation tests, built once for this package's tests.

The world lives in a transaction opened before the package's first test and rolled back after its last; each test
runs in a savepoint inside it (pytest-django's ``db``), so a test that changes something leaves the next one the
same world. On-commit callbacks (notifications, emails, the search index) run while the world is built, as they
would after each request in production.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.test import TestCase, override_settings

from practica.api.tests.authz.world import World, build_world, finish_world, login_clients


@pytest.fixture(scope="package")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    media = tempfile.mkdtemp(prefix="practica-authz-")
    settings = override_settings(
        # The matrix asks one route after another as the same people, faster than anyone could: the shared rate
        # limits (sign-in, posting, searching) are tested where they live, and would answer 429 here.
        RATE_LIMITS=dict.fromkeys(getattr(django_settings, "RATE_LIMITS", {})),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=media,
        PRACTICA_WEBHOOK_ALLOW_PRIVATE=True,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with settings, django_db_blocker.unblock():
        from practica.search import backends

        backends.clear_caches()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                built = build_world()
            with TestCase.captureOnCommitCallbacks(execute=True):  # a later request: after the world's notifications
                finish_world(built)
            built.emails = list(mail.outbox)
            login_clients(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            shutil.rmtree(media, ignore_errors=True)
