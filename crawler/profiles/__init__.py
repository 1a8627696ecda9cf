"""Ready site profiles: one TOML file per site, each a `[[sources]]` entry a config can copy as is,
or name with `profile = "<file name>"` and override only what differs (name, start_url, domains)."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources

from crawler.config import SourceConfig, config_from_dict
from crawler.errors import ConfigError


def profile_names() -> tuple[str, ...]:
    """Names of the bundled profiles (file names without .toml)."""
    files = resources.files(__package__)
    return tuple(sorted(f.name[:-5] for f in files.iterdir() if f.name.endswith(".toml")))


def load_profile(name: str) -> SourceConfig:
    """The bundled profile `name` as a validated SourceConfig."""
    resource = resources.files(__package__) / f"{name}.toml"
    if not resource.is_file():
        raise ConfigError(f"không có hồ sơ trang '{name}' (có: {', '.join(profile_names())})")
    raw = tomllib.loads(resource.read_text(encoding="utf-8"))
    sources = config_from_dict(raw, f"crawler/profiles/{name}.toml").sources
    if len(sources) != 1:
        raise ConfigError(f"crawler/profiles/{name}.toml: cần đúng một mục [[sources]]")
    return sources[0]


def resolve_source(source: SourceConfig) -> SourceConfig:
    """A source with its named profile filled in: the profile's options under the source's own (the
    `article` table merged key by key) and the profile's allowed domains when the source names none."""
    if not source.profile:
        return source
    base = load_profile(source.profile)
    if base.family != source.family:
        raise ConfigError(f"nguồn '{source.name}': họ '{source.family}' khác họ '{base.family}' "
                          f"của hồ sơ '{source.profile}'")
    options = {**base.options, **source.options}
    article = {**dict(base.options.get("article", {})), **dict(source.options.get("article", {}))}
    if article:
        options["article"] = article
    return dataclasses.replace(source, profile="", options=options, outlet=source.outlet or base.outlet,
                               allowed_domains=source.allowed_domains or base.allowed_domains)
