"""`followup`: the command line finance runs. A thin layer over :mod:`workbook_tools.pipeline`.

Exit codes: 0 all returns accepted, 1 a return was rejected (or a conflict awaits a
decision), 2 a usage error or a master/layout that cannot be used. Errors print one
clear message; ``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from . import __version__
from .master import MasterError
from .texts import LayoutError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the command was called or with its inputs as a whole."""


def _round(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"runden skal være 1, 2, 3 eller 4, ikke '{value}'") from None
    if n not in (1, 2, 3, 4):
        raise argparse.ArgumentTypeError(f"runden skal være 1, 2, 3 eller 4, ikke {n}")
    return n


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default exits 2 with usage; keep that, in one line
        self.print_usage(sys.stderr)
        print(f"Fejl: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    p = _Parser(
        prog="followup",
        description="Opfølgning på budgetaftalen med smileys: lav låste skabeloner, saml dem ind, lav rapporter.",
        formatter_class=fmt,
        epilog=(
            "En runde:\n"
            "  followup generate master.xlsx --round 2 --out ud/\n"
            "  (send skabelonerne, modtag dem udfyldt)\n"
            "  followup collect master.xlsx --round 2 --out resultat/ indbakke/\n\n"
            "Prøv det hele på eksemplet: followup demo --out demo/"
        ),
    )
    p.add_argument("--version", action="version", version=f"followup {__version__}")
    p.add_argument("--debug", action="store_true", help="vis hele fejlsporet ved fejl")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)

    g = sub.add_parser(
        "generate",
        help="lav én låst skabelon pr. udvalg til en runde",
        formatter_class=fmt,
        description="Lav én låst projektmappe pr. udvalg (eller center) til runden. Kun rundens statustekster og smileys kan udfyldes.",
        epilog="Eksempel:\n  followup generate master.xlsx --round 2 --out skabeloner/\n  followup generate master.xlsx --round 2 --out skabeloner/ --per department",
    )
    g.add_argument("master", type=Path, help="masterfilen (.xlsx)")
    g.add_argument("--round", type=_round, required=True, help="runden 1–4")
    g.add_argument("--out", type=Path, required=True, help="mappen skabelonerne skrives i")
    g.add_argument("--layout", type=Path, help="layoutfil med tekster og udseende (standard: templates/follow_up_template.xlsx)")
    g.add_argument("--per", choices=("committee", "department"), default="committee", help="én skabelon pr. udvalg (standard) eller pr. ansvarligt center")
    g.add_argument("--password", help="adgangskode til arkbeskyttelsen (også FOLLOWUP_SHEET_PASSWORD); beskytter mod fejl, ikke mod angreb")
    g.add_argument("--quiet", action="store_true", help="ingen fremdriftsvisning")

    c = sub.add_parser(
        "collect",
        help="saml udfyldte skabeloner ind, kontroller og flet dem",
        formatter_class=fmt,
        description=(
            "Læs de returnerede projektmapper (filer eller mapper), kontroller dem mod masterfilen, "
            "flet de godkendte og skriv master.xlsx, overview.xlsx og validation.xlsx i --out. "
            "Inputfilerne ændres aldrig."
        ),
        epilog="Eksempel:\n  followup collect master.xlsx --round 2 --out resultat/ indbakke/ sen_fil.xlsx\n\nExit-kode: 0 alt godkendt, 1 noget afvist, 2 forkert brug eller ubrugelig masterfil.",
    )
    c.add_argument("master", type=Path, help="masterfilen (.xlsx); ændres ikke")
    c.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="returnerede filer eller mapper")
    c.add_argument("--round", type=_round, required=True, help="runden 1–4")
    c.add_argument("--out", type=Path, required=True, help="mappen resultaterne skrives i")
    c.add_argument("--layout", type=Path, help="layoutfil (samme som ved generate)")
    c.add_argument("--manifest", type=Path, help="manifest.json fra generate; giver ekstra kontrol af skabelon-id")
    c.add_argument("--prefer", action="append", default=[], metavar="FIL", help="ved konflikt: brug svarene fra denne fil (kan gentages)")
    c.add_argument("--lang", choices=("da", "en"), default="da", help="sprog i oversigt og rapporter")
    c.add_argument("--no-require-status", action="store_true", help="kræv ikke statustekst ved gul og rød smiley")
    c.add_argument("--dry-run", action="store_true", help="kontroller og vis resultatet uden at skrive noget")
    c.add_argument("--json", action="store_true", help="skriv resultatet som JSON på stdout (til scripts)")
    c.add_argument("--jobs", type=int, default=None, metavar="N", help="antal processer til kontrollen af filerne (standard: alle kerner)")
    c.add_argument("--quiet", action="store_true", help="ingen fremdriftsvisning")

    d = sub.add_parser(
        "demo",
        help="kør en hel opfølgning på det medfølgende eksempel (budget 2018)",
        formatter_class=fmt,
        description="Laver runde 1, samler eksemplets svar ind, laver runde 2 ud fra resultatet, samler igen og laver runde 3.",
        epilog="Eksempel:\n  followup demo --out demo/",
    )
    d.add_argument("--out", type=Path, required=True, help="mappen demoen skriver i")
    d.add_argument("--example", type=Path, help="eksempelmappen (standard: examples/budget-2018)")

    pr = sub.add_parser("problems", help="vis kataloget over problemkoder", description="Vis alle problemkoder med alvor, besked og råd.")
    pr.add_argument("--markdown", action="store_true", help="som Markdown-tabel (docs/problems.md)")

    lay = sub.add_parser("layout", help="skriv en ny standard-layoutfil, som kan rettes i Excel", description="Skriv fabriksindstillingerne som layoutfil.")
    lay.add_argument("out", type=Path, help="filen der skrives (.xlsx)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except MasterError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_USAGE
    except (UsageError, LayoutError) as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("Afbrudt.", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, never a traceback unless asked
        print(f"Fejl: uventet fejl ({type(exc).__name__}: {exc}). Kør igen med --debug for detaljer.", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_USAGE


def _progress(enabled: bool, label: str):
    """A one-line progress bar on a terminal; nothing when piped or --quiet."""
    if not enabled or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if total < 5:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def cmd_generate(args) -> int:
    from .pipeline import generate_round

    _require_file(args.master, "masterfilen")
    password = args.password or os.environ.get("FOLLOWUP_SHEET_PASSWORD") or None
    made = generate_round(args.master, args.round, args.out, layout=args.layout, per=args.per, password=password, progress=_progress(not args.quiet, "Skabeloner"))
    print(f"{len(made)} skabelon(er) til runde {args.round} skrevet i {args.out}:")
    for m in made:
        who = m.committee + (f" – {m.department}" if m.department else "")
        print(f"  {m.file}  ({who})")
    print(f"Manifest: {Path(args.out) / 'manifest.json'}")
    return EXIT_OK


def cmd_collect(args) -> int:
    from .pipeline import collect_round

    _require_file(args.master, "masterfilen")
    out = args.out.resolve()
    for p in args.paths:
        if p.resolve() == out or out in p.resolve().parents:
            raise UsageError(f"{p} ligger i uddatamappen {args.out}; vælg en anden --out.")
    run = collect_round(
        args.master,
        args.round,
        args.paths,
        args.out,
        layout=args.layout,
        lang=args.lang,
        manifest=args.manifest,
        prefer=args.prefer,
        dry_run=args.dry_run,
        require_status=not args.no_require_status,
        progress=_progress(not (args.quiet or args.json), "Indsamling"),
        jobs=args.jobs,
    )
    if args.json:
        print(json.dumps(run_as_json(run), ensure_ascii=False, indent=2))
    else:
        print_summary(run)
    return run.exit_code


def run_as_json(run) -> dict:
    from .pipeline import summary_rows

    return {
        "round": run.round,
        "exit_code": run.exit_code,
        "returns": [
            {"file": f, "committee": c, "status": s} for f, c, s, _ in summary_rows(run)
        ],
        "problems": [p.as_dict() for p in run.problems],
        "written": [str(p) for p in run.written],
    }


def print_summary(run) -> None:
    from .pipeline import summary_rows

    rows = summary_rows(run)
    if rows:
        head = ("Fil", "Udvalg", "Status", "Problemer")
        widths = [min(max(len(str(r[i])) for r in rows + [head]), 50) for i in range(3)]
        print("  ".join(h.ljust(w) for h, w in zip(head[:3], widths, strict=True)) + "  " + head[3])
        for r in rows:
            print("  ".join(str(v)[:50].ljust(w) for v, w in zip(r[:3], widths, strict=True)) + "  " + r[3])
    else:
        print("Ingen filer fundet at samle ind.")
    accepted = sum(1 for c in run.checks if c.accepted)
    print(f"\n{accepted} af {len(run.checks)} besvarelser godkendt for runde {run.round}.")
    missing = [p for p in run.outcome.problems if p.code == "missing-return"]
    for p in missing:
        print(f"Mangler: {p.detail}")
    for note in run.notes:
        print(note)
    if run.written:
        print("Skrevet:")
        for p in run.written:
            print(f"  {p}")


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(args.out, args.example)


def cmd_problems(args) -> int:
    from .problems import CATALOG, catalog_markdown

    if args.markdown:
        sys.stdout.write(catalog_markdown())
    else:
        for t in CATALOG.values():
            print(f"{t.code:<26} {t.severity.value:<8} {t.message}")
    return EXIT_OK


def cmd_layout(args) -> int:
    from .texts import write_layout_file

    write_layout_file(args.out)
    print(f"Layoutfil skrevet: {args.out}. Ret teksterne i Excel, og brug den med --layout.")
    return EXIT_OK


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise UsageError(f"{what} {path} findes ikke.")
    if path.is_dir():
        raise UsageError(f"{what} {path} er en mappe, ikke en fil.")


COMMANDS = {
    "generate": cmd_generate,
    "collect": cmd_collect,
    "demo": cmd_demo,
    "problems": cmd_problems,
    "layout": cmd_layout,
}

if __name__ == "__main__":
    sys.exit(main())
