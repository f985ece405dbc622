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

    result = generate_sample(out_dir=args.out, scale=args.scale, seed=args.seed)
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

    profile = load_profile(args.profile)
    ensure_restricted(DEFAULT_OUTPUTS, profile)
    staged = staged_dir(DEFAULT_OUTPUTS, profile)
    ingest = run_ingest(
        profile, data_dir=args.data, out_dir=staged, extract_date=args.extract_date, force=False
    )
    if not ingest.ok:
        print(ingest.describe())
        return 1
    evidence = build_evidence(profile, staged, args.period_end)
    # Unsuppressed counts: restricted, never beside the board pack.
    out = args.out or restricted_period_dir(DEFAULT_OUTPUTS, profile, args.period_end)
    save_evidence(evidence, out)
    print(f"Indicators for {profile.area.name}, period ending {args.period_end:%d %B %Y}:")
    for weakness in profile.weaknesses:
        print(f"  {weakness.id}: {evidence.verdicts[weakness.id].label}")
    print(f"Written to {out}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from sendready.publish.pipeline import run_pack

    period_ends = [d.isoformat() for d in (args.period_end or [])]
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
    p.add_argument("--scale", type=float, default=1.0, help="1 is Bury-sized; 10 a large county")
    p.add_argument("--seed", type=int, default=2017, help="random seed (same seed, same output)")
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
        type=_iso_date,
        action="append",
        help="last day of a reporting quarter; repeat for several (default: the "
        "last quarter end before the extract date)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUTPUTS, help="outputs folder")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
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

    p = sub.add_parser("kernel", help="register this environment's Jupyter kernel for notebooks")
    p.add_argument("--check", action="store_true", help="only check the kernel Jupyter would use")
    p.set_defaults(func=_cmd_kernel)

    p = sub.add_parser("dictionary", help="write the data dictionary and blank templates")
    p.add_argument("--out", type=Path, default=Path("data"), help="folder to write to")
    p.set_defaults(func=_cmd_dictionary)

    p = sub.add_parser("catalogue", help="print the indicator catalogue (Markdown)")
    p.add_argument("--source", default=None, help="only indicators that read this source")
    p.add_argument(
        "--search", default=None, help="only indicators whose id, title or definition has WORD"
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
