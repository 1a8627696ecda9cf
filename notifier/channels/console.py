"""Dry-run channels: `console` prints to a stream, `file` appends to a file named by the address."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import ClassVar, TextIO

from crawler.config import Config
from notifier.channels import register
from notifier.channels.base import ChannelContext, OutgoingMessage, SendResult
from notifier.render import plain

log = logging.getLogger(__name__)


def format_plain(message: OutgoingMessage) -> str:
    """A message as one readable text block: a marker line with its key, the subject, the body."""
    return f"----- {message.key} -----\n{message.subject}\n\n{plain(message.body).strip()}\n\n"


@register
class ConsoleChannel:
    """Print messages (for `dondoc digest --channel console` and dry runs)."""

    name: ClassVar[str] = "console"
    part_limit: ClassVar[int | None] = None
    max_tags: ClassVar[int | None] = None

    def __init__(self, stream: TextIO | None = None) -> None:
        """Write to `stream`, standard output by default."""
        self.stream = stream if stream is not None else sys.stdout

    @classmethod
    def from_config(cls, config: Config, context: ChannelContext) -> ConsoleChannel:
        """Standard output: always available."""
        return cls()

    def send(self, message: OutgoingMessage) -> SendResult:
        """Print the message; printing cannot be refused."""
        self.stream.write(format_plain(message))
        self.stream.flush()
        return SendResult()


@register
class FileChannel:
    """Append messages to the file named by the address; a message already in the file is skipped."""

    name: ClassVar[str] = "file"
    part_limit: ClassVar[int | None] = None
    max_tags: ClassVar[int | None] = None

    def __init__(self, base_dir: Path | None = None) -> None:
        """Resolve relative addresses against `base_dir` (the config's output directory)."""
        self.base_dir = base_dir

    @classmethod
    def from_config(cls, config: Config, context: ChannelContext) -> FileChannel:
        """Files under the output folder: always available."""
        return cls(context.output_dir)

    def path_for(self, address: str) -> Path:
        """The file a message to `address` goes to."""
        path = Path(address)
        return path if path.is_absolute() or self.base_dir is None else self.base_dir / path

    def send(self, message: OutgoingMessage) -> SendResult:
        """Append the message unless its key is already in the file (idempotent across reruns)."""
        path = self.path_for(message.address)
        path.parent.mkdir(parents=True, exist_ok=True)
        marker = f"----- {message.key} -----\n"
        if path.exists() and marker in path.read_text(encoding="utf-8"):
            log.info("message %s already in %s, not appended again", message.key, path)
            return SendResult()
        with path.open("a", encoding="utf-8") as handle:
            handle.write(format_plain(message))
            handle.flush()
        return SendResult()
