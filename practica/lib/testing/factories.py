"""factory-boy factories for the test suite.

Communities are created through ``services.community_create`` so every test community looks like a real one:
its creator is the coordinator, it has a charter and a history entry.
"""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from practica.accounts.models import User
from practica.communities import services
from practica.communities.models import Community, Membership, MembershipState, Role, Stage, Visibility
from practica.people.models import Organization
from practica.topics.services import parse_topic_names, topics_get_or_create

PASSWORD = "pw-Secret-123"


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organization.Kind.COMPANY


class UserFactory(DjangoModelFactory[User]):
    """A registered person with a usable password (``PASSWORD``) and a profile (made by the signal).

    ``expertise=["Well integrity", ...]``, ``discipline="..."`` and ``organization=org`` fill the profile.
    """

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def discipline(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            obj.profile.discipline = extracted
            obj.profile.save(update_fields=["discipline"])

    @factory.post_generation
    def organization(obj: User, create: bool, extracted: Organization | None, **kwargs: Any) -> None:
        if create and extracted is not None:
            obj.profile.organization = extracted
            obj.profile.save(update_fields=["organization"])

    @factory.post_generation
    def expertise(obj: User, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            obj.profile.expertise.set(topics_get_or_create(parse_topic_names(extracted)))


class CommunityFactory(factory.Factory[Community]):
    """A community created by the service, so ``creator`` is its coordinator."""

    class Meta:
        model = Community

    creator = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    domain = "How practitioners share what works, and what does not."
    visibility = Visibility.PUBLIC
    stage = Stage.POTENTIAL
    topics: Any = ()

    @classmethod
    def _create(cls, model_class: type[Community], *args: Any, **kwargs: Any) -> Community:
        return services.community_create(**kwargs)


class MembershipFactory(DjangoModelFactory[Membership]):
    """A membership written directly (set-up only; the behaviour under test goes through the services)."""

    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER
    state = MembershipState.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)
