"""Security headers ([P12] finding 7): a Content-Security-Policy without ``unsafe-inline`` on every page, HTTPS
redirect and HSTS for an https site, and ``check --deploy`` clean with the production settings of the README."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

REPO_ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/communities/", "/api/v1/communities/", "/search/?q=x"])
def test_every_answer_carries_a_strict_content_security_policy(client: Client, path: str) -> None:
    response = client.get(path)

    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_only_the_api_docs_let_in_swagger_uis_one_style_by_its_hash(client: Client) -> None:
    policy = _directives(client.get("/api/v1/docs/")["Content-Security-Policy"])

    assert policy["script-src"] == ["'self'"]
    assert len(policy["style-src"]) == 2 and policy["style-src"][1].startswith("'sha256-")


def test_templates_hold_no_inline_script_style_or_event_handler() -> None:
    """The policy would refuse them in the browser; this says where, before a browser test has to."""
    offenders = []
    pattern = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", re.IGNORECASE)
    for template in (REPO_ROOT / "practica").rglob("templates/**/*.html"):
        if "/email/" in str(template):  # emails are read in mail clients, not under the site's policy
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{template.relative_to(REPO_ROOT)}:{number}: {line.strip()[:100]}")
    assert offenders == []


def test_an_https_site_redirects_plain_http_and_sends_hsts(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    plain = client.get("/communities/")
    secure = client.get("/communities/", HTTP_X_FORWARDED_PROTO="https")
    probe = client.get("/healthz")

    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert probe.status_code == 200  # the load balancer's health probe stays on plain http


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The production settings the README gives (docs/security.md's checklist), nothing else."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
        "PRACTICA_VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "practica.example.org",
        "SITE_URL": "https://practica.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://practica.example.org",
        "BEHIND_PROXY": "1",
        "HSTS_PRELOAD": "1",
        **extra,
    }


def test_check_deploy_is_clean_with_the_production_settings_of_the_readme(tmp_path: Path) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    for name in ("DEBUG=0", "SITE_URL=https://", "BEHIND_PROXY=1", "HSTS_PRELOAD=1", "CSRF_TRUSTED_ORIGINS="):
        assert name in readme, f"the README's production settings no longer say {name}"

    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_site_is_not_https(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path, SITE_URL="http://practica.example.org"), cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
    )

    assert result.returncode != 0 and "W004" in result.stderr + result.stdout
