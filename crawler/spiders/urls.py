"""URL rules shared by every spider: the seen-URL normal form and the allowed-host check."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"gidzl", "fbclid", "zarsrc"})


def normalize_url(url: str, drop: Iterable[str] = ()) -> str:
    """The URL as stored and deduplicated: lower-case scheme and host, no fragment, no tracking params
    (utm_*, gidzl, ...) and none of the extra parameter names in `drop`."""
    parts = urlsplit(url.strip())
    dropped = _TRACKING_NAMES | {name.lower() for name in drop}
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES) and key.lower() not in dropped
    ]
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def host_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    """True when `host` is one of the allowed domains or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == domain or host.endswith("." + domain) for domain in map(str.lower, allowed_domains))
