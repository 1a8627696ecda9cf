"""The config file is validated strictly at load: every problem names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import Config, load_config
from crawler.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    """Write a config file and return its path."""
    path = tmp_path / "dondoc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads() -> None:
    config = load_config(REPO / "dondoc.example.toml")
    assert [s.family for s in config.sources] == ["news", "vanban", "rss"]
    assert config.recipients[0].due_soon_days == (7, 3, 1)
    assert config.channels.email.password_env == "DONDOC_SMTP_PASSWORD"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[general]\ndatabse = 'x'\n", "general.databse"),
        ("[[sources]]\nname = 'a'\nfamily = 'news'\n", "sources[0].start_url"),
        ("[[sources]]\nname = 1\nfamily = 'news'\nstart_url = 'u'\n", "sources[0].name"),
        ("[[sources]]\nname = 'a'\nfamily = 'blog'\nstart_url = 'u'\n", "sources[0].family"),
        ("[general]\nmax_response_mb = true\n", "general.max_response_mb"),
        ("[[recipients]]\nname = 'r'\nunits = ['Bộ Y tế']\nchannels = [{type = 'fax'}]\n",
         "recipients[0].channels[0].type"),
        ("[channels.email]\npassword = 'secret'\n", "channels.email.password"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"'{key}'" in message


def test_broken_toml_is_one_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[general\n")
    with pytest.raises(ConfigError, match="TOML"):
        load_config(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="không tìm thấy"):
        load_config(tmp_path / "absent.toml")


def test_database_url_prefers_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(write(tmp_path, "[general]\ndatabase = 'data/d.sqlite3'\n"))
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    assert config.database_url() == f"sqlite:///{tmp_path / 'data' / 'd.sqlite3'}"
    monkeypatch.setenv("DONDOC_DATABASE_URL", "postgresql+psycopg://u@localhost/x")
    assert config.database_url() == "postgresql+psycopg://u@localhost/x"


def test_defaults_need_no_file() -> None:
    assert Config().general.timezone == "Asia/Ho_Chi_Minh"
