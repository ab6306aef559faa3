"""What the browser tests share: the password their people are made with, and signing in through the page."""

from __future__ import annotations

from typing import Any

PASSWORD = "Sturdy-Passw0rd!"


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign in on the sign-in page as a person would, and wait for the home page."""
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")
