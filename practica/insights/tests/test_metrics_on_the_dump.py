"""The headline metrics on a slice of the real Stack Exchange dump (../shared/datasets/quantumcomputing, up to
2018-05-01: the site's first seven weeks) agree with the independent computation of bench/check_metrics_dump.py,
which reads the dump's XML without Django or any of Practica's code. The whole comparison, on the whole dump and
with the import run as an operator runs it, is in docs/metrics.md."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from bench import check_metrics_dump as check
from practica.communities.models import Community
from practica.insights import metrics

pytestmark = [pytest.mark.dataset, pytest.mark.django_db]

REPO = Path(__file__).resolve().parents[3]
CANDIDATES = [Path(settings.SHARED_DATASETS_DIR) / "quantumcomputing", REPO.parent / "shared" / "datasets" / "quantumcomputing"]
DATASET = next(
    (p for p in CANDIDATES if all((p / name).is_file() for name in ("Posts.xml", "Comments.xml", "Users.xml"))), None
)
if DATASET is None:
    pytest.skip(
        "the shared Stack Exchange dump is absent (looked for Posts.xml, Comments.xml and Users.xml in "
        + " and ".join(str(p) for p in CANDIDATES)
        + "); this test needs ../shared/datasets/quantumcomputing",
        allow_module_level=True,
    )

UNTIL = date(2018, 5, 1)
# The slice's last 30 days, its first month, and its last week (shorter than the 7 days a response may take).
WINDOWS = [(date(2018, 4, 30), 30), (date(2018, 4, 10), 30), (date(2018, 4, 30), 7)]


def test_the_headline_metrics_agree_with_an_independent_reading_of_the_dump() -> None:
    assert DATASET is not None
    call_command(
        "import_stackexchange", str(DATASET), "--community", "qc-slice", "--create", "--until", UNTIL.isoformat(),
        stdout=io.StringIO(), stderr=io.StringIO(),
    )
    community = Community.objects.get(slug="qc-slice")
    dump = check.read_dump(DATASET, UNTIL)
    for end, days in WINDOWS:
        health = metrics.community_health(community=community, end=end, days=days)
        expected = check.headline(dump, end, days)
        got = {name: health.metrics[name].value for name in check.HEADLINE}
        wrong = {name: (got[name], expected[name]) for name in check.HEADLINE if not check.agree(got[name], expected[name])}
        assert not wrong, f"{days} days to {end}: (Practica, script) differ for {wrong}"
        threads, contributions = expected["new_threads"], expected["contributions"]
        assert isinstance(threads, int) and isinstance(contributions, int)
        assert 0 < threads < contributions  # not a comparison of empty windows
