"""The API's own views: tokens live in practica.accounts.api (re-exported here for the routes)."""

from __future__ import annotations

from practica.accounts.api import MyTokensView, MyTokenView, TokenView

__all__ = ["MyTokenView", "MyTokensView", "TokenView"]
