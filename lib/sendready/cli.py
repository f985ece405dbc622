"""The `sendready` command: one entry point for every stage.

Every user-fixable problem surfaces as a :class:`~sendready.core.errors.SendreadyError` and is
printed as one message with a non-zero exit; a traceback never reaches the user. Each run
logs its full configuration so that a result can be traced to what produced it (RAP
practice).
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import logging
import sys
from pathlib import Path

from sendready import __version__
from sendready.core.errors import SendreadyError

log = logging.getLogger("sendready")

DEFAULT_PROFILE = "bury-2017-wsoa"
DEFAULT_SAMPLE_DIR = Path("data/sample")
DEFAULT_OUTPUTS = Path("outputs")
_PERMISSION_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _jobs(text: str) -> int:
    from sendready.publish.periods import check_jobs

    try:
        return check_jobs(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    except SendreadyError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def max_jobs() -> int:
    from sendready.publish.periods import max_jobs as most

    return most()


def _cmd_profiles(args: argparse.Namespace) -> int:
    from sendready.metadata.profile import builtin_profiles, load_profile

    for pid, path in sorted(builtin_profiles().items()):
        profile = load_profile(path)
        kind = profile.framework.kind
        print(
            f"{pid:32} {profile.area.name} ({kind}, {len(profile.weaknesses)} "
            f"{'weaknesses' if kind == 'wsoa-2016' else 'priority areas'})"
        )
    return 0


def _cmd_kernel(args: argparse.Namespace) -> int:
    from sendready.publish.kernel import (
        DISPLAY_NAME,
        KERNEL_NAME,
        check_kernelspec,
        ensure_kernelspec,
    )

    if args.check:
        path = check_kernelspec()
        print(f"Jupyter kernel '{KERNEL_NAME}' is correct: {path}")
        return 0
    path = ensure_kernelspec()
    # Installing is not enough if a copy earlier on Jupyter's path shadows it.
    check_kernelspec()
    print(f"Jupyter kernel '{KERNEL_NAME}' ({DISPLAY_NAME}) installed in {path}")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from sendready.sample import generate_sample

    result = generate_sample(
        out_dir=args.out, scale=args.scale, seed=args.seed, scenario=args.scenario
    )
    print(f"Sample area written to {args.out} ({result})")
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from sendready.ingest.run import run_ingest
    from sendready.metadata.profile import load_profile
    from sendready.publish.paths import ensure_restricted, staged_dir

    profile = load_profile(args.profile)
    if args.out is None:
        ensure_restricted(DEFAULT_OUTPUTS, profile)
    out = args.out or staged_dir(DEFAULT_OUTPUTS, profile)
    result = run_ingest(
        profile, data_dir=args.data, out_dir=out, extract_date=args.extract_date, force=args.force
    )
    print(result.describe())
    return 0 if result.ok else 1


def _cmd_indicators(args: argparse.Namespace) -> int:
    from sendready.evidence.build import build_evidence, save_evidence
    from sendready.ingest.run import run_ingest
    from sendready.metadata.profile import load_profile
    from sendready.publish.paths import ensure_restricted, restricted_period_dir, staged_dir
    from sendready.publish.periods import check_period_end

    check_period_end(args.period_end, None)  # a quarter end, not in the future
    profile = load_profile(args.profile)
    ensure_restricted(DEFAULT_OUTPUTS, profile)
    staged = staged_dir(DEFAULT_OUTPUTS, profile)
    ingest = run_ingest(
        profile, data_dir=args.data, out_dir=staged, extract_date=args.extract_date, force=False
    )
    if not ingest.ok:
        print(ingest.describe())
        return 1
    check_period_end(args.period_end, ingest.summary.get("extract_date"))
    evidence = build_evidence(profile, staged, args.period_end)
    # Unsuppressed counts: restricted, never beside the board pack.
    out = args.out or restricted_period_dir(DEFAULT_OUTPUTS, profile, args.period_end)
    save_evidence(evidence, out)
    print(f"Indicators for {profile.area.name}, period ending {args.period_end:%d %B %Y}:")
    for weakness in profile.weaknesses:
        print(f"  {weakness.id}: {evidence.verdicts[weakness.id].label}")
    print(f"Written to {out}")
    return 0


def _run_period_ends(args: argparse.Namespace) -> list[str]:
    """``--period-end`` values (dates or FIRST..LAST ranges) and ``--from``/``--to``."""
    values = list(args.period_end or [])
    if (args.first is None) != (args.last is None):
        raise SendreadyError(
            "--from and --to go together: give both (e.g. --from 2016-06-30 --to 2019-03-31)."
        )
    if args.first is not None:
        values.append(f"{args.first}..{args.last}")
    return values


def _cmd_run(args: argparse.Namespace) -> int:
    from sendready.publish.pipeline import run_pack

    period_ends = _run_period_ends(args)
    outcomes = run_pack(
        profile_ref=args.profile,
        data_dir=args.data,
        period_ends=period_ends,
        outputs=args.out,
        jobs=args.jobs,
        force=args.force,
        single_file=args.single_file,
        pdf=args.pdf,
        cell_timeout=args.cell_timeout,
        notebook_timeout=args.notebook_timeout,
    )
    failed = 0
    for outcome in outcomes:
        bad = outcome.failed
        failed += len(bad)
        state = "reused" if outcome.reused else (f"{len(bad)} failed" if bad else "all ok")
        if outcome.rebuilt:
            state += "; rebuilt " + ", ".join(
                f"{name} ({why})" for name, why in sorted(outcome.rebuilt.items())
            )
        print(f"{outcome.period_end}: {outcome.folder / 'index.html'} ({state})")
        if outcome.restricted is not None:
            print(f"  restricted (never share): {outcome.restricted}")
        for result in bad:
            print(f"  FAILED {result.title}: {result.error}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from sendready.metadata.profile import load_profile
    from sendready.publish.changes import compare_packs, to_markdown, write_changes
    from sendready.publish.periods import check_period_end

    profile = load_profile(args.profile)
    first = check_period_end(args.first, None, what="--from")
    second = check_period_end(args.last, None, what="--to")
    changes = compare_packs(args.out, profile, first.isoformat(), second.isoformat())
    print(to_markdown(changes))
    markdown, html = write_changes(args.out, changes)
    print(f"Written to {html} and {markdown} (shareable: what the packs show)")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from sendready.publish.notebook_export import export_executed

    out = export_executed(args.notebook, args.out, title=args.title)
    print(f"Board HTML written to {out}")
    return 0


def _cmd_dictionary(args: argparse.Namespace) -> int:
    from sendready.ingest.dictionary import write_data_dictionary

    written = write_data_dictionary(
        readme=args.out / "README.md", templates_dir=args.out / "templates"
    )
    print(f"Wrote {len(written)} files under {args.out}")
    return 0


def _cmd_catalogue(args: argparse.Namespace) -> int:
    from sendready.indicators.catalogue_doc import COMMAND, render_catalogue, select
    from sendready.metadata.contracts import get_contract

    if args.source:
        get_contract(args.source)  # an unknown source name is an error with the valid names
    if args.profile:
        from sendready.indicators.declared import register_profile_indicators
        from sendready.metadata.profile import load_profile

        register_profile_indicators(load_profile(args.profile))  # and the area's own
    if args.out is not None:
        if args.source or args.search:
            raise SendreadyError(
                "--out writes the whole catalogue, so it cannot be combined with --source "
                "or --search.",
                hint=f"Run `{COMMAND}`, or leave out --out to print a filtered catalogue.",
            )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(render_catalogue(), encoding="utf-8")
        print(f"Wrote the indicator catalogue to {args.out}")
        return 0
    if not (args.source or args.search):
        sys.stdout.write(render_catalogue())
        return 0
    ids = select(source=args.source, search=args.search)
    if not ids:
        print("No indicator matches.", file=sys.stderr)
        return 1
    sys.stdout.write(render_catalogue(ids))
    return 0


def _cmd_lists(args: argparse.Namespace) -> int:
    from sendready.ingest.run import run_ingest
    from sendready.lists.run import produce_lists
    from sendready.metadata.profile import load_profile
    from sendready.publish.paths import (
        BOARD_PACK_DIR,
        ensure_restricted,
        profile_dir,
        restricted_dir,
        staged_dir,
    )

    profile = load_profile(args.profile)
    outputs = args.out or DEFAULT_OUTPUTS
    ensure_restricted(outputs, profile)
    inputs = {k: v for k, v in (("list1", args.list1), ("list2", args.list2)) if v is not None}
    staged = None
    if len(inputs) < 2:
        staged = staged_dir(outputs, profile)
        ingest = run_ingest(profile, data_dir=args.data, out_dir=staged)
        if not ingest.ok:
            print(ingest.describe())
            return 1
    day = args.as_at.isoformat()
    result = produce_lists(
        profile,
        staged,
        args.as_at,
        restricted=restricted_dir(outputs, profile) / "lists" / day,
        shared=profile_dir(outputs, profile) / BOARD_PACK_DIR / "inspection-lists" / day,
        inputs=inputs,
    )
    print(result.describe())
    return 0


def _add_lists(sub) -> None:
    p = sub.add_parser("lists", help="inspection-week lists 1 and 2, checked, as workbooks")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help="built-in profile id or YAML path")
    p.add_argument("--data", type=Path, default=DEFAULT_SAMPLE_DIR, help="folder of raw extracts")
    p.add_argument("--as-at", type=_iso_date, required=True, help="the date the lists describe")
    p.add_argument("--list1", type=Path, default=None, help="check this List 1 (xlsx or csv)")
    p.add_argument("--list2", type=Path, default=None, help="check this List 2 (xlsx or csv)")
    p.add_argument("--out", type=Path, default=None, help="outputs folder (default outputs)")
    p.set_defaults(func=_cmd_lists)


def _cmd_public(args: argparse.Namespace) -> int:
    from sendready.publish.public import write_all_public_packs, write_public_pack

    if args.all == bool(args.la):
        raise SendreadyError(
            "Say which area: --la with a name or code, or --all for every area.",
            hint="For example: sendready public --la Kent",
        )
    if args.all:
        paths = write_all_public_packs(args.out, jobs=args.jobs)
        print(f"Wrote {len(paths) - 1} area pages and {paths[-1]}")
        return 0
    print(f"Wrote {write_public_pack(args.la, args.out)}")
    return 0


def _cmd_published(args: argparse.Namespace) -> int:
    from sendready.comparators.release import (
        coverage,
        coverage_markdown,
        refresh_release,
        shipped_release_dir,
    )

    source = args.source or shipped_release_dir()
    if args.action == "refresh" and (args.online or args.url):
        written = _refresh_online(args)
        source = args.to or shipped_release_dir()
    elif args.action == "refresh":
        if args.source is None:
            raise SendreadyError(
                "Say where the downloaded files are: sendready published refresh --from "
                "FOLDER, or download them with sendready published refresh --online.",
                hint="Download the release's data files (explore-education-statistics, "
                "'Education, health and care plans', 'Download all data') and unzip them.",
            )
        written = refresh_release(args.source, args.to)
        print(f"Rebuilt the published figures from {args.source}: {len(written)} files")
    if args.action == "refresh":
        for path in written:
            print(f"  {path}")
    sys.stdout.write(coverage_markdown(coverage(source)))
    return 0


def _refresh_online(args: argparse.Namespace) -> list[Path]:
    """``published refresh --online``: download the release, then rebuild the copy."""
    from sendready.comparators.online import refresh_online

    if args.source is not None:
        raise SendreadyError(
            "Give either --from FOLDER (files you downloaded) or --online, not both.",
            hint="sendready published refresh --online downloads the latest release.",
        )
    written = refresh_online(args.to, url=args.url, timeout=args.timeout)
    print(
        f"Rebuilt the published figures from {args.url or 'the latest release'}: "
        f"{len(written)} files"
    )
    return written


def _add_published_commands(sub) -> None:
    """``public`` and ``published``: published statistics, no area data needed."""
    p = sub.add_parser(
        "public", help="a page of published figures for any local authority (or --all)"
    )
    p.add_argument("--la", default=None, help="name, GSS code (E08000002) or DfE code (351)")
    p.add_argument("--all", action="store_true", help="every authority, with an index page")
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUTPUTS / "public", help="folder to write to"
    )
    p.add_argument("--jobs", type=int, default=None, help="processes for --all (default 2-4)")
    p.set_defaults(func=_cmd_public)

    p = sub.add_parser(
        "published", help="the published statistics the suite ships: what is used, refresh"
    )
    p.add_argument(
        "action",
        choices=["coverage", "refresh"],
        help="coverage: what is used of each file; refresh: rebuild the shipped copy",
    )
    p.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="folder of the release's downloaded CSV files",
    )
    p.add_argument(
        "--online",
        action="store_true",
        help="download the latest release from explore-education-statistics instead",
    )
    p.add_argument(
        "--url",
        default=None,
        help="the address of a release's 'Download all data' ZIP (implies --online)",
    )
    p.add_argument(
        "--timeout", type=float, default=60.0, help="with --online: seconds to wait (60)"
    )
    p.add_argument(
        "--to", type=Path, default=None, help="write the copy here instead of the package"
    )
    p.set_defaults(func=_cmd_published)


def _add_run(sub) -> None:
    """The ``run`` command's options."""
    p = sub.add_parser("run", help="run every report for a period and build the board pack")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help="built-in profile id or YAML path")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of raw extracts (default: the sample area, generated if missing)",
    )
    p.add_argument(
        "--period-end",
        action="append",
        metavar="DATE|FIRST..LAST",
        help="last day of a reporting quarter; repeat for several, or give a range "
        "FIRST..LAST for every quarter end in it (default: the last quarter end before "
        "the extract date)",
    )
    p.add_argument(
        "--from", dest="first", default=None, metavar="DATE", help="first quarter end of a range"
    )
    p.add_argument(
        "--to", dest="last", default=None, metavar="DATE", help="last quarter end of a range"
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUTPUTS, help="outputs folder")
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=2,
        help=f"notebooks run at once (default 2, at most {max_jobs()} here)",
    )
    p.add_argument("--force", action="store_true", help="redo everything, ignoring earlier runs")
    p.add_argument(
        "--single-file",
        action="store_true",
        help="also write pack.html: the whole pack in one file, for email",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also write board-paper.pdf: the board paper for print (needs Chromium)",
    )
    p.add_argument("--cell-timeout", type=int, default=600, help="seconds allowed per cell")
    p.add_argument(
        "--notebook-timeout", type=int, default=1800, help="seconds allowed per notebook"
    )
    p.set_defaults(func=_cmd_run)


def _add_lead_tools(sub) -> None:
    """``diff`` and ``export``: a lead's tools around the packs."""
    p = sub.add_parser("diff", help="what changed between two quarters' packs")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help="built-in profile id or YAML path")
    p.add_argument("--from", dest="first", required=True, help="the earlier quarter end")
    p.add_argument("--to", dest="last", required=True, help="the later quarter end")
    p.add_argument("--out", type=Path, default=DEFAULT_OUTPUTS, help="outputs folder")
    p.set_defaults(func=_cmd_diff)

    p = sub.add_parser("export", help="turn an executed notebook into board HTML")
    p.add_argument("notebook", type=Path, help="an executed notebook (.ipynb)")
    p.add_argument(
        "--out", type=Path, default=None, help="HTML file to write (default: beside it, .html)"
    )
    p.add_argument("--title", default=None, help="page title (default: the notebook's heading)")
    p.set_defaults(func=_cmd_export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sendready",
        description="Evidence of a local area's progress against its SEND inspection findings.",
    )
    parser.add_argument("--version", action="version", version=f"sendready {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("profiles", help="list the built-in area profiles")
    p.set_defaults(func=_cmd_profiles)

    p = sub.add_parser("sample", help="write the synthetic sample area")
    p.add_argument("--out", type=Path, default=DEFAULT_SAMPLE_DIR, help="folder to write to")
    p.add_argument(
        "--scale",
        type=float,
        default=None,
        help="1 is Bury-sized; 10 a large county (default: the scenario's own scale)",
    )
    p.add_argument("--seed", type=int, default=2017, help="random seed (same seed, same output)")
    p.add_argument(
        "--scenario",
        default="bury",
        help="the planted truth: a shipped scenario (bury, mixed, null, warwickshire) or a "
        "scenario YAML file",
    )
    p.set_defaults(func=_cmd_sample)

    p = sub.add_parser("ingest", help="validate raw extracts and stage them")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help="built-in profile id or YAML path")
    p.add_argument("--data", type=Path, default=DEFAULT_SAMPLE_DIR, help="folder of raw extracts")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="staging folder (default outputs/<profile>/restricted/staged)",
    )
    p.add_argument(
        "--extract-date",
        type=_iso_date,
        default=None,
        help="date the extracts were taken (default: extract.json in the data folder, else today)",
    )
    p.add_argument("--force", action="store_true", help="ignore the cache and redo the work")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("indicators", help="compute indicators, assessments and verdicts")
    p.add_argument("--profile", default=DEFAULT_PROFILE, help="built-in profile id or YAML path")
    p.add_argument("--data", type=Path, default=DEFAULT_SAMPLE_DIR, help="folder of raw extracts")
    p.add_argument(
        "--period-end",
        type=_iso_date,
        required=True,
        help="last day of the reporting quarter, e.g. 2019-03-31",
    )
    p.add_argument(
        "--extract-date",
        type=_iso_date,
        default=None,
        help="date the extracts were taken (default: extract.json, else today)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder to write to (default outputs/<profile>/restricted/<period-end>)",
    )
    p.set_defaults(func=_cmd_indicators)

    _add_lists(sub)

    _add_run(sub)
    _add_lead_tools(sub)

    _add_published_commands(sub)

    p = sub.add_parser("kernel", help="register this environment's Jupyter kernel for notebooks")
    p.add_argument("--check", action="store_true", help="only check the kernel Jupyter would use")
    p.set_defaults(func=_cmd_kernel)

    p = sub.add_parser("dictionary", help="write the data dictionary and blank templates")
    p.add_argument("--out", type=Path, default=Path("data"), help="folder to write to")
    p.set_defaults(func=_cmd_dictionary)

    p = sub.add_parser("catalogue", help="print the indicator catalogue (Markdown)")
    p.add_argument("--source", default=None, help="only indicators that read this source")
    p.add_argument(
        "--search",
        "--keyword",
        dest="search",
        default=None,
        help="only indicators whose id, title or definition has WORD",
    )
    p.add_argument(
        "--profile",
        default=None,
        help="also list this profile's own indicators (built-in id or path to a YAML file)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="write the whole catalogue to this file (e.g. docs/indicators.md)",
    )
    p.set_defaults(func=_cmd_catalogue)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # The terminal shows results and warnings; the full log (configuration included) goes
    # to each run's run.log, and to the terminal with --verbose.
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("sendready").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    log.info(
        "sendready %s: %s", __version__, {k: str(v) for k, v in vars(args).items() if k != "func"}
    )
    try:
        return args.func(args)
    except SendreadyError as exc:
        print(f"sendready: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sendready: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in the suite, not the user's input
        if isinstance(exc, OSError) and exc.errno in _PERMISSION_ERRNOS:
            # A file the run found writable at the start refused later (made immutable,
            # a permission changed mid-run): the user's to fix, not a bug.
            print(
                f"sendready: no permission to write {exc.filename or 'a file'} "
                f"({exc.strerror}): make it writable, or choose another outputs folder "
                "with --out.",
                file=sys.stderr,
            )
            return 2
        if args.verbose:
            raise
        print(
            f"sendready: internal error ({type(exc).__name__}: {exc}). This is a fault in "
            "sendready, not in your data; run again with --verbose for the details and "
            "report it.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
