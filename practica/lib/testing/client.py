"""The API test client used by the suite."""

from __future__ import annotations

from rest_framework.test import APIClient

from practica.accounts.models import User


class Api(APIClient):
    """A DRF test client; ``api.as_user(person)`` acts as that person, ``api.as_user(None)`` as nobody."""

    def as_user(self, user: User | None) -> Api:
        self.force_authenticate(user=user)
        return self
