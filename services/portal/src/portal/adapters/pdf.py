"""Printing one of the portal's own pages to PDF with WeasyPrint, imported only when a PDF is
asked for: the system libraries it loads (pango) may be absent, and the portal runs without them."""

from __future__ import annotations

import threading

# One PDF at a time in a process: a report takes a second of CPU, and WeasyPrint's libraries are
# not documented as safe to share between threads.
_ONE_AT_A_TIME = threading.Lock()


class PdfUnavailable(Exception):
    """WeasyPrint, or a system library it loads (pango, fontconfig), is missing on this machine."""


def print_pdf(html: str) -> bytes:
    """The page `html` (with its own print stylesheet) as a PDF document."""
    try:
        import weasyprint  # type: ignore[import-untyped]
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:  # OSError: cffi could not load libpango
        raise PdfUnavailable(f"{type(error).__name__}: {error}") from error
    # The page is complete in itself: nothing is fetched, neither a file nor an address it names.
    document = weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    with _ONE_AT_A_TIME:
        pdf: bytes = document.write_pdf()
    return pdf
