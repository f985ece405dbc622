"""``published refresh --online``: the release downloaded from a local server, never the network.

A ``http.server`` in a thread plays explore-education-statistics' content API: the
latest release's summary (its version ``id``) and that release's "Download all data" ZIP
(files under ``data/``, the data guidance beside them), built here with ``zipfile`` from
the shipped trimmed copy or from the release's own files. The refreshed copy is checked
against ``refresh_release`` (``--from``) on the same files; every failure must leave the
old copy byte for byte as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import socket
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from helpers.shared_paths import SHARED_ROOT
from sendready.cli import main
from sendready.comparators.mapping import indicator_values
from sendready.comparators.online import PUBLICATION_SLUG, refresh_online
from sendready.comparators.release import (
    load_shipped_values,
    read_release,
    refresh_release,
    shipped_release_dir,
)
from sendready.core.errors import SendreadyError

RELEASE = SHARED_ROOT / "data" / "ees_2025"
SUMMARY = f"/api/publications/{PUBLICATION_SLUG}/releases/latest/summary"
RELEASE_ID = "5f1c3e2a-0000-4c1d-9e2b-ehcp2025"
ZIP_PATH = f"/api/releases/{RELEASE_ID}/files"


class _Handler(BaseHTTPRequestHandler):
    """Answers from ``server.routes``: path -> (status, body); any other path is a 404."""

    def do_GET(self):  # the name http.server calls
        route = self.server.routes.get(self.path.split("?")[0])
        if route == "hang":
            self.server.release.wait(10)
            return
        status, body = route or (404, b"Not found")
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    # A proxy set for the real service must not catch the local server's address.
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.routes = {}
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


def _base(httpd) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _zip(folder: Path, drop: str = "", rename: tuple[str, str, str] | None = None) -> bytes:
    """The release's ZIP as the service lays it out, built from the CSV files in ``folder``.

    ``drop`` leaves a file out; ``rename`` = (file, old, new) renames one header column.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("data-guidance/data-guidance.txt", "Education, health and care plans")
        for path in sorted(folder.glob("*.csv")):
            if path.name == drop:
                continue
            data = path.read_bytes()  # as published: a byte-order mark and all
            if rename and rename[0] == path.name:
                header, rest = data.decode("utf-8-sig").split("\n", 1)
                columns = [rename[2] if c == rename[1] else c for c in header.split(",")]
                assert rename[2] in columns
                data = (",".join(columns) + "\n" + rest).encode()
            archive.writestr(f"data/{path.name}", data)
    return buffer.getvalue()


def _serve_latest(httpd, data: bytes, title: str = "Calendar year 2024") -> None:
    summary = {"id": RELEASE_ID, "title": title, "slug": "2025"}
    httpd.routes[SUMMARY] = (200, json.dumps(summary).encode())
    httpd.routes[ZIP_PATH] = (200, data)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def current(tmp_path) -> Path:
    """A copy of the shipped figures standing for the one a failed refresh must keep."""
    folder = tmp_path / "copy"
    shutil.copytree(shipped_release_dir(), folder)
    return folder


def test_online_refresh_gives_what_from_gives_on_the_same_files(server, tmp_path):
    source = shipped_release_dir()
    _serve_latest(server, _zip(source))
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    written = refresh_online(tmp_path / "online", api=_base(server) + "/api")
    after = dt.datetime.now(dt.UTC)
    local = refresh_release(source, tmp_path / "local")
    assert [p.name for p in written] == [p.name for p in local]
    online, by_hand = _snapshot(tmp_path / "online"), _snapshot(tmp_path / "local")
    csvs = [name for name in by_hand if name.endswith(".csv")]
    assert len(csvs) == 7
    assert all(online[name] == by_hand[name] for name in csvs)
    meta = json.loads(online.pop("provenance.json"))
    expected = json.loads(by_hand.pop("provenance.json"))
    fetched = meta.pop("fetched")
    assert meta == expected and "fetched" not in expected
    assert fetched["url"] == _base(server) + ZIP_PATH
    assert fetched["release"] == "Calendar year 2024"
    at = dt.datetime.strptime(fetched["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert before <= at <= after
    readme = online["README.md"].decode()
    assert f"refresh --online`, from {fetched['url']} at {fetched['at']}" in readme
    assert "Open Government Licence v3.0" in readme


def test_the_release_files_downloaded_give_the_shipped_figures(server, tmp_path):
    """The real 2025 release, as a ZIP at a given address (--url), with all ten files."""
    if not RELEASE.is_dir():
        pytest.skip(f"the release files are not in {RELEASE}")
    server.routes["/ehcp.zip"] = (200, _zip(RELEASE))
    refresh_online(tmp_path / "online", url=_base(server) + "/ehcp.zip")
    rebuilt = indicator_values(read_release(tmp_path / "online"))
    pd.testing.assert_frame_equal(rebuilt, load_shipped_values())
    meta = json.loads((tmp_path / "online" / "provenance.json").read_text(encoding="utf-8"))
    shipped = json.loads((shipped_release_dir() / "provenance.json").read_text("utf-8"))
    assert meta["files"] == shipped["files"]
    assert meta["fetched"]["url"] == _base(server) + "/ehcp.zip"
    assert "release" not in meta["fetched"]


def _refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("404", "answered HTTP 404"),
        ("refused", "Cannot reach 127.0.0.1:"),
        ("missing file", "has no requests.csv"),
        ("renamed column", "requests.csv from .* has no column 'request_not_assess_pc'"),
        ("not a zip", "is not a ZIP file"),
        ("no release id", "did not answer with the release's summary"),
        ("empty release id", "did not answer with the release's summary"),
        ("no answer", "did not send .* within 0.5 seconds"),
    ],
)
def test_a_failed_download_says_what_to_do_and_keeps_the_copy(server, current, case, message):
    source, base = shipped_release_dir(), _base(server)
    kept = _snapshot(current)
    options = {"url": base + "/ehcp.zip"}
    if case == "refused":
        options = {"url": f"http://127.0.0.1:{_refused_port()}/ehcp.zip"}
    elif case == "missing file":
        server.routes["/ehcp.zip"] = (200, _zip(source, drop="requests.csv"))
    elif case == "renamed column":
        rename = ("requests.csv", "request_not_assess_pc", "request_not_assessed_pc")
        server.routes["/ehcp.zip"] = (200, _zip(source, rename=rename))
    elif case == "not a zip":
        server.routes["/ehcp.zip"] = (200, b"<html>Service unavailable</html>")
    elif case in ("no release id", "empty release id"):
        body = b'{"title": "Calendar year 2024"' + (b"}" if case[0] == "n" else b', "id": null}')
        server.routes[SUMMARY] = (200, body)
        options = {"api": base + "/api"}
    elif case == "no answer":
        server.routes["/ehcp.zip"] = "hang"
        options["timeout"] = 0.5
    with pytest.raises(SendreadyError, match=message) as raised:
        refresh_online(current, **options)
    assert "sendready published refresh --from FOLDER" in raised.value.hint
    assert _snapshot(current) == kept
    assert sorted(p.name for p in current.parent.iterdir()) == ["copy"]


def test_the_command_refreshes_online_and_refuses_two_sources(server, tmp_path, capsys):
    _serve_latest(server, _zip(shipped_release_dir()))
    url = _base(server) + ZIP_PATH
    assert main(["published", "refresh", "--url", url, "--to", str(tmp_path / "copy")]) == 0
    out = capsys.readouterr().out
    assert f"Rebuilt the published figures from {url}: 9 files" in out
    assert "## requests.csv" in out
    with (tmp_path / "copy" / "requests.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 972
    code = main(["published", "refresh", "--online", "--from", str(tmp_path), "--to", "x"])
    assert code == 2
    assert "either --from FOLDER" in capsys.readouterr().err
    code = main(["published", "refresh", "--url", url, "--timeout", "0", "--to", "x"])
    assert code == 2
    assert "--timeout must be a number of seconds above 0, not 0" in capsys.readouterr().err
    assert not Path("x").exists()
