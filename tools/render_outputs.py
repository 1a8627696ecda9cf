"""Render report and bulletin files as a reader sees them: each DOCX or XLSX file is converted to PDF
by LibreOffice headless (an HTML file is printed by headless Chromium when installed), then to one
PNG per page by pdftoppm (all installed by .ci/install-system.sh), so pages can be looked at next to
the seeds.

    python -m tools.render_outputs FILE... [--out DIR] [--dpi 60]

Prints one line per file: the PDF written and its page count.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CONVERT_TIMEOUT = 300  # seconds; LibreOffice starts slowly on a busy machine


@dataclass(frozen=True)
class Rendering:
    """One file rendered: its PDF and the PNG of each page, in page order."""

    source: Path
    pdf: Path
    pages: tuple[Path, ...]


def office_binary() -> str:
    """The LibreOffice binary, or an error saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise SystemExit("Thiếu LibreOffice (soffice): chạy .ci/install-system.sh")
    return found


def html_to_pdf(source: Path, out_dir: Path) -> Path | None:
    """An HTML file printed to <name>.pdf by headless Chromium, as a browser shows it (LibreOffice's
    HTML import ignores max-width and cuts the page); None without Chromium."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        return None
    pdf = out_dir / f"{source.name}.pdf"
    subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", source.resolve().as_uri()],
                   check=True, capture_output=True, timeout=CONVERT_TIMEOUT)
    return pdf


def to_pdf(source: Path, out_dir: Path) -> Path:
    """Convert one document to <name>.pdf ("bao-cao.xlsx.pdf", so a DOCX and an XLSX of one stem both
    keep theirs) with LibreOffice headless, in a throwaway profile."""
    with tempfile.TemporaryDirectory(prefix="lo-") as work:
        profile, converted = Path(work) / "profile", Path(work) / "out"
        subprocess.run(
            [office_binary(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(converted), str(source)],
            check=True, capture_output=True, timeout=CONVERT_TIMEOUT,
        )
        made = converted / f"{source.stem}.pdf"
        if not made.exists():
            raise SystemExit(f"LibreOffice không tạo được PDF từ {source}")
        pdf = out_dir / f"{source.name}.pdf"
        shutil.move(made, pdf)
    return pdf


def to_pngs(pdf: Path, out_dir: Path, dpi: int) -> tuple[Path, ...]:
    """One PNG per page of the PDF (pdftoppm), named <pdf stem>-<page>.png."""
    binary = shutil.which("pdftoppm")
    if binary is None:
        raise SystemExit("Thiếu pdftoppm (poppler-utils): chạy .ci/install-system.sh")
    prefix = out_dir / pdf.stem
    subprocess.run([binary, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, capture_output=True,
                   timeout=CONVERT_TIMEOUT)
    return tuple(sorted(out_dir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])))


def render(sources: Sequence[Path], out_dir: Path, dpi: int = 60) -> list[Rendering]:
    """Render every source file to PDF and PNG pages under `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for source in sources:
        printed = html_to_pdf(source, out_dir) if source.suffix.lower() in (".html", ".htm") else None
        pdf = printed or to_pdf(source, out_dir)
        done.append(Rendering(source=source, pdf=pdf, pages=to_pngs(pdf, out_dir, dpi)))
    return done


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry: render the given files."""
    parser = argparse.ArgumentParser(description="Chuyển DOCX/XLSX/HTML sang PDF và ảnh PNG từng trang.")
    parser.add_argument("files", nargs="+", type=Path, help="các tệp DOCX, XLSX hoặc HTML")
    parser.add_argument("--out", type=Path, default=Path("renders"), help="thư mục kết quả")
    parser.add_argument("--dpi", type=int, default=60, help="độ phân giải ảnh PNG (mặc định 60)")
    args = parser.parse_args(argv)
    for rendering in render(args.files, args.out, args.dpi):
        print(f"{rendering.pdf}: {len(rendering.pages)} trang")
    return 0


if __name__ == "__main__":
    sys.exit(main())
