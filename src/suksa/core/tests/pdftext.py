"""Reading a PDF's text layer back in tests, as a user copying from it would get it.

``pdf_text`` runs poppler's ``pdftotext -raw`` (Debian ``poppler-utils``, installed by ``.ci/run``);
``needs_pdftotext`` marks a test that cannot run without it, saying how to install it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftotext) is not installed: apt-get install poppler-utils (.ci/run does)",
)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order, as ``pdftotext -raw`` extracts it (UTF-8)."""
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
