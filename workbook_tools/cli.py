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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from .errors import FollowupError
from .master import MasterError
from .model import unit_name
from .progress import Progress
from .template import ManifestError, TemplateError, sheet_password
from .texts import LayoutError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_PIPE_CLOSED = 141  # what a shell reports for a program whose reader went away (128 + SIGPIPE)


class UsageError(FollowupError):
    """A problem with how the command was called or with its inputs as a whole."""


def _round(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"runden skal være 1, 2, 3 eller 4, ikke '{value}'") from None
    if n not in (1, 2, 3, 4):
        raise argparse.ArgumentTypeError(f"runden skal være 1, 2, 3 eller 4, ikke {n}")
    return n


# What `--per` accepts: the Danish words and the English ones scripts already use.
_PER = {"udvalg": "committee", "center": "department", "committee": "committee", "department": "department"}


def _per(value: str) -> str:
    try:
        return _PER[value.strip().casefold()]
    except KeyError:
        raise argparse.ArgumentTypeError(f"'{value}': vælg udvalg eller center") from None


def _report_formats(value: str) -> tuple[str, ...]:
    """'docx,pdf' -> ('docx', 'pdf'), in the order given, each format once."""
    from .report_documents import REPORT_FORMATS

    chosen = tuple(dict.fromkeys(v.strip().lower().lstrip(".") for v in value.split(",") if v.strip()))
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"'{value}': vælg blandt {', '.join(REPORT_FORMATS)}, adskilt af komma")
    return chosen


# argparse's own words (usage, headings, its error messages) in Danish, like the rest of the
# command line. argparse looks each one up through its module's `_` when it needs it.
_ARGPARSE_DA = {
    "usage: ": "brug: ",
    "positional arguments": "argumenter",
    "options": "tilvalg",
    "show this help message and exit": "vis denne hjælp og stop",
    "the following arguments are required: %s": "mangler: %s",
    "unrecognized arguments: %s": "ukendte argumenter: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ugyldigt valg: %(value)r (vælg mellem %(choices)s)",
    "expected one argument": "mangler en værdi",
    "expected at least one argument": "mangler mindst én værdi",
    "expected at most one argument": "højst én værdi",
    "expected %s argument": "skal have %s værdi",
    "expected %s arguments": "skal have %s værdier",
    "invalid %(type)s value: %(value)r": "ugyldig værdi: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydigt tilvalg: %(option)s kan være %(matches)s",
    "not allowed with argument %s": "kan ikke bruges sammen med %s",
    "one of the arguments %s is required": "et af argumenterne %s skal med",
    "ignored explicit argument %r": "tager ingen værdi: %r",
    "can't open '%(filename)s': %(error)s": "kan ikke åbne '%(filename)s': %(error)s",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "ukendt kommando %(parser_name)r (vælg mellem %(choices)s)",
    "unexpected option string: %s": "uventet tilvalg: %s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
}


@contextmanager
def _argparse_in_danish() -> Iterator[None]:
    """argparse speaks Danish while the parser is built and used; put back as it was afterwards."""
    before = argparse._, argparse.ngettext
    argparse._ = lambda text: _ARGPARSE_DA.get(text, text)
    argparse.ngettext = lambda one, many, n: _ARGPARSE_DA.get(one if n == 1 else many, one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = before


class _Parser(argparse.ArgumentParser):
    """argparse in Danish whenever it writes: also for help printed after parsing (`followup` with no command)."""

    def format_help(self) -> str:
        with _argparse_in_danish():
            return super().format_help()

    def format_usage(self) -> str:
        with _argparse_in_danish():
            return super().format_usage()

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
    p.add_argument("--version", action="version", version=f"followup {__version__}", help="vis versionen og stop")
    p.add_argument("--debug", action="store_true", help="vis hele fejlsporet ved fejl")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)

    g = sub.add_parser(
        "generate",
        help="lav én låst skabelon pr. udvalg til en runde",
        formatter_class=fmt,
        description="Lav én låst skabelon pr. udvalg (eller center) til runden. Kun rundens statustekster og smileys kan udfyldes.",
        epilog="Eksempel:\n  followup generate master.xlsx --round 2 --out skabeloner/\n  followup generate master.xlsx --round 2 --out skabeloner/ --per center",
    )
    g.add_argument("master", type=Path, metavar="MASTERFIL", help="masterfilen (.xlsx)")
    g.add_argument("--round", type=_round, required=True, metavar="RUNDE", help="runden 1–4")
    g.add_argument("--out", type=Path, required=True, metavar="MAPPE", help="mappen skabelonerne skrives i")
    g.add_argument(
        "--layout",
        type=Path,
        metavar="FIL",
        help="layoutfil med tekster og udseende (standard: layout.xlsx i årsmappen, ellers fabrikkens)",
    )
    g.add_argument(
        "--per",
        type=_per,
        default="committee",
        metavar="udvalg|center",
        help="én skabelon pr. udvalg (standard) eller pr. ansvarligt center",
    )
    g.add_argument(
        "--password",
        metavar="ADGANGSKODE",
        help="adgangskode til arkbeskyttelsen (også FOLLOWUP_SHEET_PASSWORD); beskytter mod fejl, ikke mod angreb",
    )
    g.add_argument("--quiet", action="store_true", help="ingen fremdriftsvisning")

    c = sub.add_parser(
        "collect",
        help="saml udfyldte skabeloner ind, kontroller og flet dem",
        formatter_class=fmt,
        description=(
            "Læs besvarelserne (filer eller mapper), kontroller dem mod masterfilen, "
            "flet de godkendte og skriv master.xlsx, overview.xlsx, validation.xlsx (og problems.json til scripts) og udvalgsrapporterne "
            "(reports/UDVALG.xlsx og, med LibreOffice, .pdf) i --out. "
            "Inputfilerne ændres aldrig."
        ),
        epilog="Eksempel:\n  followup collect master.xlsx --round 2 --out resultat/ indbakke/ sen_fil.xlsx\n\nExit-kode: 0 alt godkendt, 1 noget afvist, 2 forkert brug eller ubrugelig masterfil.",
    )
    c.add_argument("master", type=Path, metavar="MASTERFIL", help="masterfilen (.xlsx); ændres ikke")
    c.add_argument(
        "paths",
        type=Path,
        nargs="+",
        metavar="FIL",
        help="besvarelser: filer eller mapper; også gemte e-mails (.eml, Outlook .msg), hvis vedhæftede besvarelser læses",
    )
    c.add_argument("--round", type=_round, required=True, metavar="RUNDE", help="runden 1–4")
    c.add_argument("--out", type=Path, required=True, metavar="MAPPE", help="mappen resultaterne skrives i")
    _add_layout_and_manifest(c)
    c.add_argument("--prefer", action="append", default=[], metavar="FIL", help="ved konflikt: brug svarene fra denne fil (kan gentages)")
    c.add_argument(
        "--lang", choices=("da", "en"), default="da", metavar="da|en", help="sprog i oversigt og rapporter: da (standard) eller en"
    )
    c.add_argument("--no-require-status", action="store_true", help="kræv ikke statustekst ved gul og rød smiley")
    c.add_argument("--dry-run", action="store_true", help="kontroller og vis resultatet uden at skrive noget")
    c.add_argument("--no-pdf", action="store_true", help="lav ikke PDF af udvalgsrapporterne (sparer LibreOffice-kørslen)")
    c.add_argument(
        "--report-format",
        type=_report_formats,
        default=None,
        metavar="FORMATER",
        help="udvalgsrapporterne som xlsx, docx og/eller pdf, adskilt af komma (standard: alle tre; pdf kræver LibreOffice)",
    )
    c.add_argument("--json", action="store_true", help="skriv resultatet som JSON på stdout (til scripts)")
    _add_jobs_and_quiet(c)

    k = sub.add_parser(
        "check",
        help="kontroller én eller flere besvarelser uden at flette dem",
        formatter_class=fmt,
        description=(
            "Kontroller besvarelser mod masterfilen, som collect gør, men uden at flette eller "
            "skrive noget: til en enkelt besvarelse, og til medarbejderen før skabelonen sendes. "
            "Viser hvert problem med celle, forklaring og hvad der skal gøres. Filerne ændres aldrig."
        ),
        epilog=(
            "Eksempel:\n  followup check master.xlsx --round 2 indbakke/runde-2_Udvalg.xlsx\n"
            "  followup check master.xlsx --round 2 --feedback tilbage/ indbakke/\n\n"
            "Exit-kode: 0 ingen fejl (advarsler er tilladt), 1 mindst én fil afvises, 2 forkert brug."
        ),
    )
    k.add_argument("master", type=Path, metavar="MASTERFIL", help="masterfilen (.xlsx); ændres ikke")
    k.add_argument("paths", type=Path, nargs="+", metavar="FIL", help="besvarelser: filer eller mapper")
    k.add_argument("--round", type=_round, required=True, metavar="RUNDE", help="runden 1–4")
    _add_layout_and_manifest(k)
    k.add_argument("--no-require-status", action="store_true", help="kræv ikke statustekst ved gul og rød smiley")
    k.add_argument("--feedback", type=Path, metavar="MAPPE", help="skriv en kommenteret kopi af hver fil med problemer i MAPPE")
    k.add_argument("--json", action="store_true", help="skriv resultatet som JSON på stdout (til scripts)")
    _add_jobs_and_quiet(k)

    d = sub.add_parser(
        "demo",
        help="kør en hel opfølgning på det medfølgende eksempel (budget 2018)",
        formatter_class=fmt,
        description="Laver runde 1, samler eksemplets besvarelser ind, laver runde 2 ud fra resultatet, samler igen og laver runde 3. Eksemplet følger med programmet.",
        epilog="Eksempel:\n  followup demo --out demo/",
    )
    d.add_argument("--out", type=Path, required=True, metavar="MAPPE", help="mappen demoen skriver i")
    d.add_argument(
        "--example",
        type=Path,
        metavar="MAPPE",
        help="en anden kopi af eksemplet (mappe med master.xlsx og returns/); standard: det medfølgende",
    )
    d.add_argument("--no-pdf", action="store_true", help="lav ikke PDF af udvalgsrapporterne")

    i = sub.add_parser(
        "init",
        help="lav en ny årsmappe med en tom masterfil, layout og mailtekster",
        formatter_class=fmt,
        description=(
            "Lav en mappe til årets opfølgning: master.xlsx klar til at udfylde i Excel (alle ark og overskrifter, "
            "lister til udvalg, budgettype og runde, noter ved hver overskrift), layout.xlsx, mailtekster/ og LÆS MIG.txt. "
            "Kommandoerne finder selv layout og mailtekster i mappen."
        ),
        epilog='Eksempel:\n  followup init "Budgetopfølgning 2027" --year 2027\n  followup init 2027 --year 2027 --title "Aftale om budget 2027-2030"',
    )
    i.add_argument("folder", type=Path, metavar="MAPPE", help="årsmappen (laves, hvis den ikke findes)")
    i.add_argument("--year", type=int, required=True, metavar="ÅR", help="aftalens år, fx 2027")
    i.add_argument("--title", metavar="TITEL", help='aftalens titel (standard: "Aftale om budget ÅR")')
    i.add_argument("--force", action="store_true", help="skriv i en mappe, der ikke er tom; filer, der findes, bliver stående")

    ny = sub.add_parser(
        "new-year",
        help="lav næste års masterfil ud fra dette års",
        formatter_class=fmt,
        description=(
            "Lav en ny årsmappe ud fra sidste års masterfil: udvalg, centre, kontakter og indsatser føres over, "
            "svarene ryddes, runderne og fristerne flyttes et år frem, og årstallet rettes i titel, læsevejledning "
            "og milepæle. Layout og mailtekster ved siden af den gamle masterfil kopieres med. "
            "Til sidst vises hver tekst, der stadig nævner det gamle år, så den kan læses igennem."
        ),
        epilog='Eksempel:\n  followup new-year "Budgetopfølgning 2026/runde-4/resultat/master.xlsx" --year 2027 --out "Budgetopfølgning 2027"',
    )
    ny.add_argument("master", type=Path, metavar="MASTERFIL", help="sidste års masterfil, helst den efter sidste runde (ændres ikke)")
    ny.add_argument("--year", type=int, required=True, metavar="ÅR", help="det nye år, fx 2027")
    ny.add_argument("--out", type=Path, required=True, metavar="MAPPE", help="den nye årsmappe")
    ny.add_argument("--only-open", action="store_true", help="kun indsatser, hvis seneste smileys ikke begge er grønne")
    ny.add_argument("--overwrite", action="store_true", help="skriv oven i en master.xlsx, der allerede ligger i MAPPE")

    pr = sub.add_parser(
        "problems",
        help="vis kataloget over problemkoder",
        description="Vis alle problemkoder med alvor (Fejl, Advarsel, Info), besked, hvad I gør, og hvad udvalget læser i den kommenterede kopi.",
    )
    pr.add_argument("--markdown", action="store_true", help="som Markdown-tabel (docs/problems.md)")

    lay = sub.add_parser(
        "layout", help="skriv en ny standard-layoutfil, som kan rettes i Excel", description="Skriv fabriksindstillingerne som layoutfil."
    )
    lay.add_argument("file", type=Path, metavar="FIL", help="filen der skrives (.xlsx)")
    lay.add_argument("--overwrite", action="store_true", help="skriv oven i filen, hvis den findes (dine rettelser i den går tabt)")
    _add_mail_parser(sub, fmt)
    return p


_MAIL_KINDS = (
    (
        "templates",
        "send hvert udvalg (eller center) sin skabelon",
        "Én e-mail pr. skabelon i skabelonmappen (den mappe, followup generate skrev i, med manifest.json), til udvalgets eller centrets adresser fra masterfilen, med skabelonen vedhæftet.",
        "followup mail templates master.xlsx --round 2 --from skabeloner/",
        "mappen som followup generate skrev skabelonerne i",
    ),
    (
        "reports",
        "send hvert udvalg sin rapport",
        "Hvert udvalg får sin udvalgsrapport fra resultatmappen (den mappe, followup collect skrev i: reports/UDVALG.pdf, .docx eller .xlsx).",
        "followup mail reports master.xlsx --round 2 --from resultat/",
        "mappen som followup collect skrev i",
    ),
    (
        "reminders",
        "send rykkere, hvor besvarelser mangler eller ikke er godkendt",
        "Til hvert udvalg eller center, hvis besvarelse mangler, ikke er godkendt eller mangler smileys: en rykker, der siger præcis, hvad de skal rette (fra problems.json i resultatmappen).",
        "followup mail reminders master.xlsx --round 2 --from resultat/",
        "mappen som followup collect skrev i",
    ),
    (
        "overview",
        "send oversigten til økonomiudvalget eller direktionen",
        "Oversigten (overview.xlsx), som collect skrev den, til adresserne i rækken »Oversigt sendes til« på arket Aftale i masterfilen, eller til --to.",
        "followup mail overview master.xlsx --round 2 --from resultat/ --to direktion@kommune.dk",
        "mappen som followup collect skrev i",
    ),
)


def _add_mail_parser(sub, fmt) -> None:
    m = sub.add_parser(
        "mail",
        help="send skabeloner, rapporter, rykkere og oversigten med e-mail",
        formatter_class=fmt,
        description=(
            "Skriv beskederne som .eml-filer i en udbakke (standard), så de kan tjekkes i Outlook eller Thunderbird, "
            "eller send dem med SMTP (--send). En sendelog i udbakken gør, at en ny kørsel efter en fejl kun sender resten."
        ),
        epilog=(
            "Eksempler:\n"
            "  followup mail templates master.xlsx --round 2 --from skabeloner/\n"
            "  followup mail templates master.xlsx --round 2 --from skabeloner/ --send --smtp-host smtp.kommune.dk --starttls --smtp-user okonomi\n"
            "  followup mail reminders master.xlsx --round 2 --from resultat/ --dry-run\n\n"
            "SMTP kan også sættes med FOLLOWUP_SMTP_HOST, FOLLOWUP_SMTP_PORT, FOLLOWUP_SMTP_USER, FOLLOWUP_SMTP_SECURITY\n"
            "(none/starttls/ssl) eller en konfigurationsfil (--smtp-config eller FOLLOWUP_SMTP_CONFIG, sektion [smtp]).\n"
            "Adgangskoden tages kun fra FOLLOWUP_SMTP_PASSWORD eller tastes; den skrives aldrig nogen steder."
        ),
    )
    m.set_defaults(mail_parser=m)
    kinds = m.add_subparsers(dest="mail_command", metavar="HVAD", parser_class=_Parser)
    for name, help_text, description, example, folder_help in _MAIL_KINDS:
        x = kinds.add_parser(name, help=help_text, description=description, formatter_class=fmt, epilog=f"Eksempel:\n  {example}")
        x.add_argument("master", type=Path, metavar="MASTERFIL", help="masterfilen (.xlsx)")
        x.add_argument("--round", type=_round, required=True, metavar="RUNDE", help="runden 1–4")
        x.add_argument("--from", dest="folder", type=Path, required=True, metavar="MAPPE", help=folder_help)
        x.add_argument("--outbox", type=Path, metavar="MAPPE", help="udbakken til .eml-filer og sendeloggen (standard: MAPPE/outbox)")
        x.add_argument(
            "--from-address", metavar="ADRESSE", help="afsenderadresse (standard: E-mail på arket Aftale; også FOLLOWUP_MAIL_FROM)"
        )
        x.add_argument(
            "--mail-texts",
            type=Path,
            metavar="MAPPE",
            help="mappe med egne mailtekster (skabelon.txt, rapport.txt, rykker.txt, oversigt.txt); standard: mailtekster/ i årsmappen, ellers fabrikkens",
        )
        x.add_argument("--only", action="append", default=[], metavar="UDVALG", help="kun dette udvalg (kan gentages)")
        x.add_argument("--dry-run", action="store_true", help="vis hvad der ville blive skrevet eller sendt, uden at gøre det")
        if name == "overview":
            x.add_argument(
                "--to",
                action="append",
                default=[],
                metavar="ADRESSE",
                help="send til denne adresse (kan gentages); standard: »Oversigt sendes til« på arket Aftale",
            )
        if name == "reports":
            x.add_argument(
                "--include-incomplete",
                action="store_true",
                help="send også til udvalg, hvis runde ikke er komplet (rapporten viser »Ikke besvaret«); standard: de holdes tilbage og nævnes",
            )
            x.add_argument(
                "--attach",
                type=_report_formats,
                default=None,
                metavar="FORMATER",
                help="vedhæft rapporten som pdf, docx og/eller xlsx, adskilt af komma (standard: pdf; mangler den, det der findes)",
            )
        _add_sending_options(x)


def _add_sending_options(x) -> None:
    """How a mail command sends: the outbox by default, SMTP with --send and the server's settings."""
    x.add_argument("--send", action="store_true", help="send med SMTP i stedet for at skrive til udbakken")
    x.add_argument("--resend", action="store_true", help="send også det, som sendeloggen siger er sendt")
    x.add_argument("--smtp-host", metavar="VÆRT", help="SMTP-serveren")
    x.add_argument("--smtp-port", type=int, metavar="PORT", help="porten (standard: 25, 587 med --starttls, 465 med --ssl)")
    x.add_argument("--smtp-user", metavar="BRUGER", help="brugernavn til serveren; adgangskoden fra FOLLOWUP_SMTP_PASSWORD eller tastes")
    x.add_argument(
        "--smtp-config",
        type=Path,
        metavar="FIL",
        help="konfigurationsfil med sektionen [smtp] (host, port, user, security, from_address)",
    )
    security = x.add_mutually_exclusive_group()
    security.add_argument("--starttls", dest="security", action="store_const", const="starttls", help="krypter med STARTTLS")
    security.add_argument("--ssl", dest="security", action="store_const", const="ssl", help="krypter med SSL/TLS fra start")


def _speak_utf8() -> None:
    """Windows writes a redirected stdout in its ANSI code page, where "⏎" or "→" would stop the run; UTF-8 carries every text."""
    if sys.platform == "win32":
        for stream in (sys.stdout, sys.stderr):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(encoding="utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    _speak_utf8()
    try:
        with _argparse_in_danish():
            parser = build_parser()
            try:
                args = parser.parse_args(argv)
            except SystemExit:  # --help or a usage error, printed: into a closed pipe it ends quietly too
                sys.stdout.flush()
                raise
    except BrokenPipeError:
        return _pipe_closed()
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        _require_folders(args)
        code = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return code
    except BrokenPipeError:
        return _pipe_closed()
    except _user_errors() as exc:
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


def _pipe_closed() -> int:
    """The reader of stdout went away (`followup problems | head -1`): end quietly, as the Python docs recommend.

    stdout is pointed at devnull so the flush at exit raises nothing more.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass
    return EXIT_PIPE_CLOSED


def _user_errors() -> tuple[type[Exception], ...]:
    """What a user can cause and fix: one line and exit 2, never a traceback."""
    from .atomic import OutputError
    from .demo import DemoError
    from .inuse import OutputInUse
    from .newyear import NewYearError
    from .outlock import OutputLocked
    from .yearfolder import YearFolderError

    return (
        MasterError,
        UsageError,
        LayoutError,
        TemplateError,
        ManifestError,
        DemoError,
        YearFolderError,
        NewYearError,
        OutputInUse,
        OutputLocked,
        OutputError,
    )


def _add_layout_and_manifest(parser) -> None:
    """The inputs beside the master that collect and check read a round by."""
    parser.add_argument("--layout", type=Path, metavar="FIL", help="layoutfil (samme som ved generate; standard: layout.xlsx i årsmappen)")
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="FIL",
        help="manifest.json fra generate (eller mappen, det ligger i); giver ekstra kontrol af skabelon-id",
    )


def _add_jobs_and_quiet(parser) -> None:
    """The options of the commands that check many files: collect and check."""
    parser.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="antal processer til kontrollen af filerne (standard: alle kerner)"
    )
    parser.add_argument("--quiet", action="store_true", help="ingen fremdriftsvisning")


def _progress(enabled: bool, label: str) -> Progress | None:
    """A one-line progress bar on a terminal, as the library's Progress callback; nothing when piped or --quiet.

    The job's first phase shows under `label`; a later phase passes its own label and
    gets a line of its own (each phase ends its line when done == total).
    """
    if not enabled or not sys.stderr.isatty():
        return None
    command = label

    def show(done: int, total: int, label: str = "") -> None:
        if total < 5:
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label or command} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def cmd_generate(args) -> int:
    from .pipeline import generate_round

    _require_file(args.master, "masterfilen")
    year = _year_files(args)
    password = sheet_password(args.password) or None
    warnings: list = []
    made = generate_round(
        args.master,
        args.round,
        args.out,
        layout=year.layout,
        per=args.per,
        password=password,
        progress=_progress(not args.quiet, "Skabeloner"),
        warnings=warnings,
    )
    for w in warnings:
        print(f"Advarsel: {w}")
    print(f"{len(made)} skabelon(er) til runde {args.round} skrevet i {args.out}:")
    for m in made:
        who = unit_name(m.committee, m.department)
        print(f"  {m.file}  ({who})")
    print(f"Manifest: {Path(args.out) / 'manifest.json'}")
    return EXIT_OK


def cmd_collect(args) -> int:
    from .outfolder import MASTER_NAME, OVERVIEW_NAME, PROBLEMS_NAME, VALIDATION_NAME
    from .pipeline import collect_round

    _require_file(args.master, "masterfilen")
    out = args.out.resolve()
    for p in args.paths:
        if p.resolve() == out or out in p.resolve().parents:
            raise UsageError(f"{p} ligger i resultatmappen {args.out}; vælg en anden --out.")
    # `--out .` beside master.xlsx would write the merged master over the input one.
    written = {out / name for name in (MASTER_NAME, OVERVIEW_NAME, VALIDATION_NAME, PROBLEMS_NAME)}
    for what, given in (("masterfilen", args.master), ("layoutfilen", args.layout), ("manifestet", args.manifest)):
        if given is not None and given.resolve() in written:
            raise UsageError(
                f"collect skriver {given.name} i {args.out} og ville dermed skrive oven i {what} {given}; vælg en anden --out, fx resultat-runde-{args.round}/."
            )
    year = _year_files(args, to_stderr=args.json)
    run = collect_round(
        args.master,
        args.round,
        args.paths,
        args.out,
        layout=year.layout,
        lang=args.lang,
        manifest=args.manifest,
        prefer=args.prefer,
        dry_run=args.dry_run,
        require_status=not args.no_require_status,
        progress=_progress(not (args.quiet or args.json), "Indsamling"),
        jobs=args.jobs,
        pdf=not args.no_pdf,
        **({"report_formats": args.report_format} if args.report_format else {}),
    )
    if args.json:
        _print_json(run.as_dict())
    else:
        print_summary(run)
    return run.exit_code


def _print_json(doc: dict) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def cmd_check(args) -> int:
    from .pipeline import check_files

    _require_file(args.master, "masterfilen")
    year = _year_files(args, to_stderr=args.json)
    run = check_files(
        args.master,
        args.round,
        args.paths,
        layout=year.layout,
        manifest=args.manifest,
        require_status=not args.no_require_status,
        feedback_dir=args.feedback,
        jobs=args.jobs,
        progress=_progress(not (args.quiet or args.json), "Kontrol"),
    )
    if args.json:
        _print_json(run.as_dict())
        return run.exit_code
    for p in run.problems:
        print(f"{p.severity.label}: {p.message} {p.hint}")
    if not run.checks:
        print("Ingen besvarelser fundet at kontrollere.")
    for c in run.checks:
        print_check(c, run.office)
    for p in run.written:
        print(f"Kommenteret kopi: {p}")
    for note in run.notes:
        print(note)
    return run.exit_code


def print_check(check, office: str = "") -> None:
    """One return's verdict and every problem with its cell, message and what to do."""
    from .problems import Severity

    counts = {s: sum(1 for p in check.problems if p.severity is s) for s in Severity}
    verdict = "godkendt" if check.accepted else "afvist"
    words = {Severity.ERROR: ("fejl", "fejl"), Severity.WARNING: ("advarsel", "advarsler"), Severity.INFO: ("info", "info")}
    tally = ", ".join(f"{n} {words[s][n != 1]}" for s, n in counts.items() if n)
    who = f" ({check.committee})" if check.committee else ""
    print(f"{check.name}{who}: {verdict}" + (f" – {tally}" if tally else ""))
    for p in check.problems:
        where = " ".join(x for x in (p.where, f"indsats {p.element}" if p.element else "") if x)
        print(f"  {p.severity.label:<8} {p.code:<26} {where}")
        print(f"           {p.message}")
        print(f"           Det gør I:     {p.hint}")
        print(f"           Til udvalget:  {p.advice_for(office)}")


def print_summary(run) -> None:
    from .pipeline import standing_lines, summary_rows

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
    for line in standing_lines(run):
        print(line)
    for note in run.notes:
        print(note)
    if run.written:
        print("Skrevet:")
        for p in run.written:
            print(f"  {p}")


def _year_files(args, to_stderr: bool = False):
    """The layout or mail texts from the options or the year folder; a line for each that is not the factory one."""
    from .yearfolder import files_for

    wants = ("mail",) if args.command == "mail" else ("layout",)
    year = files_for(args.master, getattr(args, "layout", None), getattr(args, "mail_texts", None), wants)
    for line in year.lines:
        print(line, file=sys.stderr if to_stderr else sys.stdout)
    return year


def cmd_demo(args) -> int:
    from .demo import run_demo

    run = run_demo(args.out, args.example, pdf=not args.no_pdf)
    print("\n".join(run.lines))
    return run.exit_code


def cmd_init(args) -> int:
    from .yearfolder import init_year_folder

    made = init_year_folder(args.folder, args.year, args.title, force=args.force)
    print(f"Årsmappe til {args.year}: {made.folder}")
    for p in made.written:
        print(f"  skrevet: {p}")
    for p in made.kept:
        print(f"  fandtes i forvejen og er ikke rørt: {p}")
    print(f"Udfyld {made.folder / 'master.xlsx'} i Excel, og læs {made.folder / 'LÆS MIG.txt'} for en runde trin for trin.")
    return EXIT_OK


def cmd_new_year(args) -> int:
    from .newyear import new_year_lines, write_new_year

    _require_file(args.master, "masterfilen")
    try:
        result = write_new_year(args.master, args.year, args.out, only_open=args.only_open, overwrite=args.overwrite)
    except ValueError as exc:  # a year that cannot follow the old one
        raise UsageError(str(exc)) from None
    print("\n".join(new_year_lines(result)))
    return EXIT_OK


def cmd_problems(args) -> int:
    from .problems import CATALOG, catalog_markdown

    if args.markdown:
        sys.stdout.write(catalog_markdown())
        return EXIT_OK
    category = None
    for t in CATALOG.values():
        if t.category != category:
            print(t.category if category is None else f"\n{t.category}")
            category = t.category
        print(f"  {t.code} ({t.severity.label})")
        print(f"      Besked:        {t.message}")
        print(f"      Det gør I:     {t.hint}")
        print(f"      Til udvalget:  {t.advice}")
    return EXIT_OK


def cmd_layout(args) -> int:
    from .texts import write_layout_file

    if args.file.exists() and not args.overwrite:
        raise UsageError(f"{args.file} findes allerede; dine rettelser i den ville gå tabt. Vælg et andet navn, eller brug --overwrite.")
    write_layout_file(args.file)
    print(f"Layoutfil skrevet: {args.file}. Ret teksterne i Excel, og brug den med --layout.")
    return EXIT_OK


def cmd_mail(args) -> int:
    from .mail import MailError, SendError
    from .mailrun import run_mail
    from .mailsend import configured_from_address, smtp_password, smtp_settings
    from .mailsummary import summary_lines
    from .master import read_master

    if not args.mail_command:
        args.mail_parser.print_help()
        return EXIT_USAGE
    _require_file(args.master, "masterfilen")
    if not args.folder.is_dir():
        raise UsageError(f"mappen {args.folder} findes ikke.")
    agreement = read_master(args.master)
    year = _year_files(args)
    try:
        smtp = password = None
        if args.send:
            smtp = smtp_settings(args.smtp_host, args.smtp_port, args.smtp_user, args.security, args.smtp_config)
            if not args.dry_run:
                password = smtp_password(smtp)
        run = run_mail(
            args.mail_command,
            agreement,
            args.round,
            args.folder,
            outbox=args.outbox,
            from_address=configured_from_address(args.from_address, args.smtp_config),
            texts=year.mail_texts,
            only=args.only,
            smtp=smtp,
            password=password,
            dry_run=args.dry_run,
            resend=args.resend,
            include_incomplete=getattr(args, "include_incomplete", False),
            attach=getattr(args, "attach", None),
            to=getattr(args, "to", None),
        )
    except SendError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    except MailError as exc:
        raise UsageError(str(exc)) from None
    print("\n".join(summary_lines(run)))
    return run.exit_code


# Options that name a folder to write in; made when missing.
_FOLDER_OPTIONS = ("out", "feedback", "outbox")


def _require_folders(args) -> None:
    for option in _FOLDER_OPTIONS:
        path = getattr(args, option, None)
        if path is not None and path.exists() and not path.is_dir():
            raise UsageError(f"--{option} {path} er en fil; angiv en mappe (findes den ikke, bliver den lavet).")


def _require_file(path: Path, what: str) -> None:
    if not path.exists():
        raise UsageError(f"{what} {path} findes ikke.")
    if path.is_dir():
        raise UsageError(f"{what} {path} er en mappe, ikke en fil.")


COMMANDS = {
    "generate": cmd_generate,
    "collect": cmd_collect,
    "check": cmd_check,
    "demo": cmd_demo,
    "problems": cmd_problems,
    "layout": cmd_layout,
    "mail": cmd_mail,
    "init": cmd_init,
    "new-year": cmd_new_year,
}

if __name__ == "__main__":
    sys.exit(main())
