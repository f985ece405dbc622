"""Refresh the shipped "Education, health and care plans" copy from the published service.

explore-education-statistics publishes each release's underlying data as one ZIP
("Download all data"). Its content API names the latest release of a publication
(``/publications/{slug}/releases/latest/summary``, whose ``id`` is the release version)
and serves that release's ZIP (``/releases/{id}/files``). :func:`refresh_online`
downloads the ZIP with the standard library only (no new dependency, a timeout on every
request), checks that every file the suite reads is there with the columns it reads, and
only then hands the unpacked files to :func:`sendready.comparators.release.refresh_release`,
which swaps the copy in. Every step works in a temporary folder, so a failed download,
a ZIP missing a file or a renamed column leaves the old copy exactly as it was.

Where that is not possible (no network, a proxy, a changed layout), the same result comes
from downloading the ZIP by hand and running ``sendready published refresh --from FOLDER``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from sendready.comparators.release import (
    IDENTITY_COLUMNS,
    RELEASE_FILES,
    SOURCE_URL,
    refresh_release,
    used_columns,
)
from sendready.core.errors import SendreadyError

CONTENT_API = "https://content.explore-education-statistics.service.gov.uk/api"
PUBLICATION_SLUG = "education-health-and-care-plans"
TIMEOUT_SECONDS = 60.0
BY_HAND = (
    f"Download the release's data by hand ({SOURCE_URL}, 'Download all data'), unzip it "
    "and run: sendready published refresh --from FOLDER."
)


def latest_release_url(api: str = CONTENT_API, timeout: float = TIMEOUT_SECONDS) -> tuple[str, str]:
    """The address of the latest release's "Download all data" ZIP, and its title.

    Args:
        api: The content API's base address (a local server in the tests).
        timeout: Seconds to wait for an answer.

    Returns:
        ``(zip_url, title)``; the title is ``""`` when the service gives none.

    Raises:
        SendreadyError: The service cannot be reached, answers with an error or with
            something that is not a release summary.
    """
    summary_url = f"{api.rstrip('/')}/publications/{PUBLICATION_SLUG}/releases/latest/summary"
    body = _get(summary_url, timeout)
    try:
        summary = json.loads(body.decode("utf-8"))
        release_id = summary["id"]
        if not isinstance(release_id, str) or not release_id.strip():
            raise ValueError(release_id)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise SendreadyError(
            f"{summary_url} did not answer with the release's summary (no release id).",
            hint=BY_HAND,
        ) from exc
    zip_url = f"{api.rstrip('/')}/releases/{urllib.parse.quote(release_id)}/files"
    return zip_url, str(summary.get("title") or "")


def _get(url: str, timeout: float) -> bytes:
    """The body of ``url``, or a SendreadyError saying why not (never a traceback)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise SendreadyError(
            f"{url} is not a web address (http or https).",
            hint="Give --url the address of the release's 'Download all data' ZIP.",
        )
    request = urllib.request.Request(url, headers={"User-Agent": "sendready"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise SendreadyError(
            f"{url} answered HTTP {exc.code} ({exc.reason}) instead of the release's data.",
            hint=BY_HAND,
        ) from exc
    except urllib.error.URLError as exc:
        raise SendreadyError(
            f"Cannot reach {parts.netloc} ({exc.reason}): no network, or a proxy blocks it.",
            hint=BY_HAND,
        ) from exc
    except (TimeoutError, OSError) as exc:
        raise SendreadyError(
            f"{parts.netloc} did not send {url} within {timeout:g} seconds ({exc}).",
            hint="Try again later, or with a longer --timeout. " + BY_HAND,
        ) from exc


def unpack_release(data: bytes, url: str, folder: Path) -> dict[str, Path]:
    """Write the release's CSV files from the ZIP ``data`` into ``folder``.

    Only files named like one of the release's files are written, each under its own
    name (the ZIP keeps them in ``data/``; any folder inside the ZIP is ignored, so no
    name in it can write outside ``folder``).

    Raises:
        SendreadyError: ``data`` is not a ZIP.
    """
    names = {f"{spec.name}.csv" for spec in RELEASE_FILES}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SendreadyError(f"What {url} sent is not a ZIP file.", hint=BY_HAND) from exc
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    with archive:
        for member in archive.infolist():
            base = Path(member.filename.replace("\\", "/")).name.lower()
            if member.is_dir() or base not in names:
                continue
            path = folder / base
            with archive.open(member) as source, path.open("wb") as out:
                shutil.copyfileobj(source, out)
            found[base.removesuffix(".csv")] = path
    return found


def check_release_files(found: dict[str, Path], url: str) -> None:
    """Every file the suite reads is in ``found``, with every column it reads.

    A newer release that renamed a file or a column would otherwise give a copy with a
    series silently missing.

    Raises:
        SendreadyError: Naming the first file or column that is missing.
    """
    for spec in RELEASE_FILES:
        used = used_columns(spec.name)
        if not used:
            continue
        path = found.get(spec.name)
        if path is None:
            raise SendreadyError(
                f"The download from {url} has no {spec.name}.csv ({spec.holds}).",
                hint="DfE may have renamed or dropped the file. " + BY_HAND,
            )
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
        have = {c.replace("\ufeff", "").strip().lower() for c in header}
        for column in (*IDENTITY_COLUMNS, *used):
            if column.lower() not in have:
                raise SendreadyError(
                    f"{spec.name}.csv from {url} has no column {column!r}, which the suite "
                    "reads; the release's layout has changed.",
                    hint="Check the column in the release's data guidance; if it was "
                    "renamed, the suite's mapping needs updating. Until then keep the "
                    "current copy, or " + BY_HAND[0].lower() + BY_HAND[1:],
                )


def refresh_online(
    target: str | Path | None = None,
    url: str | None = None,
    api: str = CONTENT_API,
    timeout: float = TIMEOUT_SECONDS,
) -> list[Path]:
    """Download the release and rebuild the shipped copy (or ``target``) from it.

    Args:
        target: Folder of the copy; the package's own copy when ``None``.
        url: The address of a "Download all data" ZIP; when ``None`` the latest release
            is looked up through the content API at ``api``.
        api: The content API's base address.
        timeout: Seconds to wait for each answer.

    Returns:
        The files of the refreshed copy. Its ``provenance.json`` records the address,
        the time (UTC) and the release's title under ``fetched``.

    Raises:
        SendreadyError: No network, an HTTP error, a download that is not a ZIP, or a
            file or column the suite reads missing from it; the copy is left unchanged.
    """
    if not timeout > 0:
        raise SendreadyError(
            f"--timeout must be a number of seconds above 0, not {timeout:g}.",
            hint=f"Leave it out for {TIMEOUT_SECONDS:g} seconds.",
        )
    title = ""
    if url is None:
        url, title = latest_release_url(api, timeout)
    data = _get(url, timeout)
    fetched = {"url": url, "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if title:
        fetched["release"] = title
    with tempfile.TemporaryDirectory(prefix="sendready-release-") as work:
        found = unpack_release(data, url, Path(work) / "files")
        check_release_files(found, url)
        return refresh_release(Path(work) / "files", target, fetched=fetched)
