"""Config values are checked for range and meaning at load; each refusal names the key and the range."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parent / "service"))

from service_helpers import run_dondoc

RECIPIENT = "[[recipients]]\nname = 'r'\nunits = []\n"
SOURCE = "[[sources]]\nname = 'a'\nfamily = 'news'\nstart_url = 'https://example.gov.vn/'\n"


def refusal(tmp_path: Path, text: str) -> str:
    """The ConfigError message of loading `text` as dondoc.toml."""
    path = tmp_path / "dondoc.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    return message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[general]\nmax_response_mb = 0\n", "general.max_response_mb"),
        ("[general]\ndownload_timeout_s = 0\n", "general.download_timeout_s"),
        ("[general]\ncrawl_time_limit_s = -5\n", "general.crawl_time_limit_s"),
        ("[service]\nstop_timeout_s = 0\n", "service.stop_timeout_s"),
    ],
)
def test_sizes_and_timeouts_must_be_positive(tmp_path: Path, text: str, key: str) -> None:
    """0 would remove the size cap or the timeout: refused, naming the key and "từ 1 trở lên"."""
    message = refusal(tmp_path, text)
    assert f"'{key}' = " in message and "không hợp lệ: phải từ 1 trở lên" in message


@pytest.mark.parametrize(
    ("text", "key", "allowed"),
    [
        ("[service]\nhealth_port = 99999\n", "service.health_port", "từ 0 đến 65535"),
        ("[service]\nhealth_port = -1\n", "service.health_port", "từ 0 đến 65535"),
        ("[channels.email]\nport = 0\n", "channels.email.port", "từ 1 đến 65535"),
        ("[channels.email]\nport = 70000\n", "channels.email.port", "từ 1 đến 65535"),
    ],
)
def test_ports_are_within_range(tmp_path: Path, text: str, key: str, allowed: str) -> None:
    """A port outside 1-65535 (the health port may be 0 = off) is refused before any socket."""
    message = refusal(tmp_path, text)
    assert f"'{key}' = " in message and allowed in message


@pytest.mark.parametrize("zone", ["Asia/Ha_Noi", "UTC+7", "", "../etc/passwd"])
def test_timezone_must_be_a_real_iana_name(tmp_path: Path, zone: str) -> None:
    """A timezone the IANA database does not know is refused, with an example of a good one."""
    message = refusal(tmp_path, f"[general]\ntimezone = '{zone}'\n")
    assert "'general.timezone'" in message and "múi giờ IANA" in message and "Asia/Ho_Chi_Minh" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (SOURCE + "max_pages = -1\n", "sources[0].max_pages"),
        (SOURCE + "max_pages = 0\n", "sources[0].max_pages"),
        (SOURCE + "stale_after_days = 0\n", "sources[0].stale_after_days"),
        (SOURCE + "failures_before_alert = 0\n", "sources[0].failures_before_alert"),
        (SOURCE + "interval_seconds = -60\n", "sources[0].interval_seconds"),
        (RECIPIENT + "due_soon_days = [7, -3]\n", "recipients[0].due_soon_days[1]"),
        (RECIPIENT + "due_soon_days = [0]\n", "recipients[0].due_soon_days[0]"),
        ("[general]\nraw_page_retention_days = 0\n", "general.raw_page_retention_days"),
        ("[schedules]\ndelivery_interval_seconds = -1\n", "schedules.delivery_interval_seconds"),
    ],
)
def test_counts_and_days_are_positive(tmp_path: Path, text: str, key: str) -> None:
    """Negative or zero page counts and day counts are refused, naming the key and its meaning."""
    message = refusal(tmp_path, text)
    assert f"'{key}' = " in message and "không hợp lệ: phải từ" in message and "(số " in message


def test_good_values_at_the_edges_load(tmp_path: Path) -> None:
    """The ends of each range are accepted: port 65535, 0 = off where it means off."""
    path = tmp_path / "dondoc.toml"
    path.write_text("[general]\nmax_response_mb = 1\ndownload_timeout_s = 1\ntimezone = 'UTC'\n"
                    "[service]\nhealth_port = 65535\n[channels.email]\nport = 1\n"
                    "[schedules]\ndelivery_interval_seconds = 0\n" + SOURCE + "interval_seconds = 0\n",
                    encoding="utf-8")
    assert load_config(path).service.health_port == 65535


@pytest.mark.parametrize("command", [["status"], ["run"], ["crawl"]])
def test_cli_refuses_an_out_of_range_port_with_exit_2(tmp_path: Path, command: list[str]) -> None:
    """`health_port = 99999` (once "Lỗi không mong đợi: OverflowError") is one Vietnamese line, exit 2."""
    config = tmp_path / "dondoc.toml"
    config.write_text("[service]\nhealth_port = 99999\n" + SOURCE, encoding="utf-8")
    result = run_dondoc(config, *command, timeout=120)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Lỗi: {config}: 'service.health_port' = 99999")
    assert "từ 0 đến 65535" in lines[0] and "OverflowError" not in result.stderr
