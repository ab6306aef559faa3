"""What people make searchable: everyone active, by name, expertise, discipline, organisation, title, place and
bio — declared to the search registry (``practica/lib/indexing.py``) in ``PeopleConfig.ready()``. Profiles are
public, whatever their memberships; inactive accounts leave the index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from practica.accounts.models import User
from practica.lib import indexing
from practica.lib.indexing import Document
from practica.lib.templatetags.practica import url_for
from practica.people.models import Profile

PERSON = "person"


class PersonIndex(indexing.Index):
    """People, read as plain rows (an import indexes tens of thousands of them)."""

    doc_type = PERSON
    plural = "people"
    rebuild_order = 20

    def ids(self, *, community_id: int | None = None) -> Iterable[int]:
        if community_id is not None:
            return []  # a person is nobody's community's: a community's slug or language is not in their document
        return User.objects.filter(is_active=True).order_by("id").values_list("id", flat=True)

    def documents(self, ids: Sequence[int], prepared: Any = None) -> list[Document]:
        profiles = list(
            Profile.objects.filter(user_id__in=ids, user__is_active=True)
            .order_by("id")
            .values_list(
                "id", "user_id", "user__username", "user__date_joined", "display_name", "discipline", "job_title",
                "organization__name", "location", "bio", "imported_reputation", "external_id",
            )
        )
        expertise: dict[int, list[str]] = defaultdict(list)
        expertise_rows = (
            Profile.expertise.through.objects.filter(profile_id__in=[p[0] for p in profiles])
            .order_by("topic__slug")  # the topics' own ordering, as profile.expertise.all() gives them
            .values_list("profile_id", "topic__slug", "topic__name")
        )
        for profile_id, slug, name in expertise_rows:
            expertise[profile_id].append(f"{slug} {name}")
        documents = []
        for (
            profile_id, user_id, username, date_joined, display_name, discipline, job_title, organization, location,
            bio, reputation, external_id,
        ) in profiles:
            body = "\n".join(part for part in (discipline, job_title, organization or "", location, bio) if part)
            documents.append(
                Document(
                    user_id, None, display_name or username, f"{username}\n{body}", " ".join(expertise[profile_id]),
                    user_id, discipline[:30], date_joined, url_for("people:profile", username), "english",
                    False, reputation or 0, 0, 0.0, external_id,
                )
            )
        return documents


def person_changed(user_id: int) -> None:
    """Reindex a person when the current transaction commits."""
    indexing.changed(PERSON, user_id)
