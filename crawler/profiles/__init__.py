"""Ready site profiles: one TOML file per site, each a `[[sources]]` entry a config can copy as is."""

from __future__ import annotations

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
