"""Start-up configuration, and pages that load nothing from third-party hosts (the health check: practica/front)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community

REPO_ROOT = Path(__file__).resolve().parents[3]


# --- Settings -------------------------------------------------------------------------------------


def _import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter whose environment holds only what the test gives."""
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
        "PRACTICA_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import practica.settings as s; print('DEBUG', s.DEBUG, 'HOSTS', s.ALLOWED_HOSTS)",
        ],
        env=clean_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_import_on_a_laptop_with_no_configuration(tmp_path: Path) -> None:
    result = _import_settings(tmp_path)

    assert result.returncode == 0, result.stderr
    assert "DEBUG True" in result.stdout


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, DEBUG="0", ALLOWED_HOSTS="practica.example.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_settings_refuse_to_start_without_allowed_hosts_when_debug_is_off(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, DEBUG="0", SECRET_KEY="a-long-random-string-for-production-use")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS must be set when DEBUG is off" in result.stderr


def test_settings_refuse_an_empty_allowed_hosts_list_when_debug_is_off(tmp_path: Path) -> None:
    result = _import_settings(tmp_path, DEBUG="off", SECRET_KEY="a-long-random-string", ALLOWED_HOSTS=" , ")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_settings_start_in_production_mode_with_secret_key_and_allowed_hosts(tmp_path: Path) -> None:
    result = _import_settings(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="a-long-random-string-for-production-use",
        ALLOWED_HOSTS="practica.example.org, www.practica.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout
    assert "['practica.example.org', 'www.practica.example.org']" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'"),
        ({"EMAIL_URL": "carrier-pigeon://loft"}, "EMAIL_URL scheme 'carrier-pigeon' is not supported"),
        ({"EMAIL_URL": "smtp://"}, "has no host"),
        ({"SQLITE_BUSY_TIMEOUT": "soon"}, "SQLITE_BUSY_TIMEOUT must be a whole number; got 'soon'"),
        ({"PRACTICA_TASK_BACKEND": "carrier"}, "PRACTICA_TASK_BACKEND must be one of"),
        ({"ACCOUNT_EMAIL_VERIFICATION": "sometimes"}, "ACCOUNT_EMAIL_VERIFICATION must be one of"),
        ({"PRACTICA_SEMANTIC_THREADS": "0"}, "PRACTICA_SEMANTIC_THREADS must be at least 1"),
    ],
)
def test_settings_refuse_a_wrong_value_with_a_clear_message(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = _import_settings(tmp_path, **env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("locmem://", "locmem"),
        ("smtp+tls://user:p%40ss@mail.example.org:587", "smtp"),
        ("file:///tmp/practica-mail", "filebased"),
    ],
)
def test_settings_accept_each_documented_email_url(tmp_path: Path, url: str, backend: str) -> None:
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(REPO_ROOT),
        "PRACTICA_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_URL": url,
    }
    result = subprocess.run(
        [sys.executable, "-c", "import practica.settings as s; print(s.EMAIL_BACKEND)"],
        env=clean_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert f"django.core.mail.backends.{backend}.EmailBackend" in result.stdout


# --- Nothing from third-party hosts ---------------------------------------------------------------

URL_ATTRIBUTE = re.compile(
    r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""", re.I
)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)""", re.I)
ALLOWED_ORIGINS = ("http://testserver/", "//testserver/")


def _third_party_references(html: str) -> list[str]:
    found = URL_ATTRIBUTE.findall(html) + CSS_IMPORT.findall(html)
    return [url for url in found if not url.startswith(ALLOWED_ORIGINS)]


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_load_nothing_from_third_party_hosts(
    signed_in: bool, member: User, public_community: Community, private_community: Community
) -> None:
    client = Client()
    if signed_in:
        client.force_login(member)
    pages = [
        "/",
        "/communities/",
        "/communities/public-wells/",
        "/communities/public-wells/members/",
        "/organizations/",
        "/people/member/",
    ]
    if not signed_in:
        pages += ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
    else:
        pages += ["/communities/new/", "/people/me/edit/", "/communities/private-wells/"]

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "<html" in html, page
        assert _third_party_references(html) == [], page
        assert re.search(r'<script src="/static/django_htmx/htmx[-\w.]*\.js"', html), page
        assert re.search(r'<link rel="stylesheet" href="/static/practica/practica\.css"', html), page


def test_the_third_party_check_catches_remote_scripts_and_styles() -> None:
    html = (
        '<script src="https://unpkg.com/htmx.org"></script><link href="//fonts.googleapis.com/css" rel="stylesheet">'
        "<style>@import url('https://cdn.example.com/x.css');</style>"
        '<a href="http://testserver/communities/">ours</a><img src="/static/x.png">'
    )

    assert _third_party_references(html) == [
        "https://unpkg.com/htmx.org",
        "//fonts.googleapis.com/css",
        "https://cdn.example.com/x.css",
    ]


def test_htmx_and_the_stylesheet_are_files_we_serve_ourselves() -> None:
    for path in ("django_htmx/htmx-2.min.js", "practica/practica.css", "practica/favicon.svg"):
        assert finders.find(path), path


def test_the_stylesheet_imports_nothing_from_third_party_hosts() -> None:
    css = Path(str(finders.find("practica/practica.css"))).read_text()

    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css)
    assert CSS_IMPORT.search(css) is None


def test_a_nul_character_in_a_form_gets_a_clear_400_not_a_500(client):
    response = client.post("/accounts/login/", {"login": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_a_nul_character_in_a_json_body_gets_a_clear_400(client):
    response = client.post("/api/v1/auth/token/", data='{"username": "a\\u0000", "password": "x"}',
                           content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
