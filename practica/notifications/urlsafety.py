"""Which URLs a webhook may target: http(s) only and, unless the admin allows it, no private network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 500


def private_targets_allowed() -> bool:
    return bool(getattr(settings, "PRACTICA_WEBHOOK_ALLOW_PRIVATE", settings.DEBUG))


def _is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def refuse_private_target(url: str) -> None:
    """Resolve the URL's host and refuse it if any address is loopback, private, link-local or reserved.

    Called when a webhook is saved and again before each delivery (the DNS answer may have changed).
    """
    if private_targets_allowed():
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError({"url": [f"The host {host!r} cannot be resolved."]}) from exc
    if any(_is_private(str(info[4][0])) for info in infos):
        raise ValidationError(
            {"url": ["This address is in a private network; the administrator does not allow such targets."]}
        )


def validate_webhook_url(url: str) -> str:
    """The cleaned URL, or a ValidationError saying why it cannot be a webhook target."""
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": ["Enter the webhook URL."]})
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError({"url": [f"At most {MAX_URL_LENGTH} characters."]})
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError({"url": ["A webhook URL must start with http:// or https://."]})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": ["Enter a valid http(s) URL."]}) from exc
    refuse_private_target(url)
    return url
