"""The demo knowledge ``seed_demo`` writes (practica/demo/knowledge.py)."""

from __future__ import annotations

from django.core.management import call_command

from practica.demo.knowledge import seed_demo_knowledge
from practica.knowledge.models import Collection, KnowledgeItem


def test_demo_knowledge_is_seeded_once(db: None) -> None:
    call_command("seed_demo", "--skip-datasets", verbosity=0)
    published_titles = set(KnowledgeItem.objects.filter(status="published").values_list("title", flat=True))
    assert "Sustained casing pressure after a rushed wait-on-cement" in published_titles
    assert Collection.objects.filter(title="Start here").count() == 1
    count = KnowledgeItem.objects.count()
    assert seed_demo_knowledge() == 0 and KnowledgeItem.objects.count() == count
