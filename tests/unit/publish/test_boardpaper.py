"""The board paper's printing step: clear errors without a working browser, and the option."""

from __future__ import annotations

import pytest

from sendready.cli import build_parser
from sendready.core.errors import SendreadyError
from sendready.publish.boardpaper import BoardPaperError, print_pdf


def test_no_chromium_is_a_one_line_error_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDREADY_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(BoardPaperError) as caught:
        print_pdf("<html></html>", tmp_path / "paper.pdf")
    assert isinstance(caught.value, SendreadyError)
    assert "no Chromium browser was found" in caught.value.message
    assert "SENDREADY_CHROMIUM" in caught.value.hint and "--pdf" in caught.value.hint
    assert not (tmp_path / "paper.pdf").exists()


def test_a_browser_that_fails_leaves_no_pdf(tmp_path, monkeypatch):
    failing = tmp_path / "chromium"
    failing.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv("SENDREADY_CHROMIUM", str(failing))
    with pytest.raises(BoardPaperError) as caught:
        print_pdf("<html></html>", tmp_path / "out" / "paper.pdf")
    assert "exit status 3: cannot open display" in caught.value.message
    assert not (tmp_path / "out" / "paper.pdf").exists()


def test_run_takes_pdf():
    assert build_parser().parse_args(["run", "--pdf"]).pdf is True
    assert build_parser().parse_args(["run"]).pdf is False
