"""The seed report as data: "Anden opfølgning på Aftale om budget 2018 for
Erhvervs- og Beskæftigelsesudvalget" (Økonomi og Styring, 4 July 2018).

Transcribed from the text extracted from the PDF (shared/seed/000_b414e4a587953cae.txt):
line-end hyphenation undone, wrapped lines joined, paragraphs separated by a blank
line ("\\n\\n"); the wording is kept exactly, the report's own typos included
("Der er været igangsat", "under givende forudsætninger", "igangssættes").

`AGREEMENT` is the master list (no results); `RETURNS` holds what staff returned at
rounds 1 and 2, one `Result` per element and round. See `SMILEY_NOTE` for where the
smileys come from. Not a package: import it by path (build.py, tests).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

try:
    from workbook_tools.model import (
        Agreement,
        BudgetKind,
        Committee,
        Department,
        Element,
        Result,
        Round,
        Smiley,
    )
except ImportError:  # run from examples/budget-2018 without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from workbook_tools.model import (
        Agreement,
        BudgetKind,
        Committee,
        Department,
        Element,
        Result,
        Round,
        Smiley,
    )

COMMITTEE = "Erhvervs- og Beskæftigelsesudvalget"
BY_ERHVERV_MILJO = "By, Erhverv og Miljø"
ARBEJDSMARKED = "Arbejdsmarked"

GUIDE_PROGRESS = (
    "Opfølgningen på Aftale om budget 2018 sker ved, at der gives smileys, på henholdsvis "
    "indsats og økonomi. Der følges op på aftalen fire gange årligt. Dette sker i "
    "forbindelse med de tre budgetopfølgninger samt en endelig opfølgning pr. 31. "
    "december 2018. Denne læsevejledning skal skabe klarhed over, hvordan de indsatte "
    "smileys skal forstås."
    "\n\n"
    "Status på indsats gives ved at følge op på de opsatte milepæle ved "
    "budgetopfølgningerne. Milepæle er de nødvendige skridt, der skal tages for at nå "
    "frem til det endelige mål, som vil være det pågældende delelement i budgetaftalen."
    "\n\n"
    "Er milepælen fx at der skal være udarbejdet en analyse, følges der op på, om "
    "analysen er udarbejdet og er den udarbejdet gives en glad smiley. Dertil vil "
    "analysen blive behandlet på pågældende fagudvalg."
)

GUIDE_ECONOMY = (
    "Der gives én samlet smiley-status på økonomi ved hver opfølgning. Hvis der er "
    "ændringer til økonomien i forhold til det vedtagne budget, skal det indgå i "
    "budgetopfølgningen, hvor der anvises en alternativ finansiering. Opfølgningen på "
    "økonomien vil herefter være i forhold til den eventuelle ændrede økonomi, som "
    "godkendt af Kommunalbestyrelsen."
)

ROUNDS = (
    Round(1, "1. budgetopfølgning 2018", None),
    Round(2, "2. budgetopfølgning 2018", None),
    Round(3, "3. budgetopfølgning 2018", None),
    Round(4, "31.12.2018", None),
)

ELEMENTS = (
    Element(
        number="5.01",
        title="Tiltrække internationale virksomheder",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "Ballerup Kommune er den kommune i landet, der tiltrækker flest "
            "internationale medarbejdere."
            "\n\n"
            "For at styrke Ballerups image som international erhvervskommune arbejdes "
            "der målrettet videre med tiltrækning af internationale virksomheder samt "
            "tiltrækning af internationalt talent. Tiltrækning af internationale "
            "virksomheder er et langsigtet arbejde, som kan tage mange år at se "
            "resultaterne af. Derfor iværksættes forskellige aktiviteter, som knytter "
            "Ballerup Kommune tættere sammen med investeringsorganisationerne "
            "(Copenhagen Capacity og Invest in Denmark), ligesom samarbejdet med "
            "virksomhederne omkring tiltrækning af den nødvendige internationale "
            "arbejdskraft intensiveres."
        ),
        department=BY_ERHVERV_MILJO,
        contributors="",
        supplementary_text="",
        economy_text="Der er ikke afsat økonomi.",
        milestones=(
            "",
            "I samarbejde med Copenhagen Capacity har By, Erhverv og Miljø medvirket til "
            "at skaffe virksomheder til Life Science talenttiltrækningskampagnen.",
            "Der er været igangsat forskellige kampagner for at få investinballerup.info "
            "gjort synlig overfor forskellige internationale beslutningstagere.",
            "Vi har deltaget i møder med relevante investorer med henblik på tiltrækning af nye virksomheder og evt. byggerier.",
        ),
    ),
    Element(
        number="5.02",
        title="Dialog med erhvervslivet",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "En væsentlig udfordring for at sikre fremtidens vækst og skabelsen af nye "
            "arbejdspladser er mangel på kvalificeret arbejdskraft. Derfor skal skolerne, "
            "uddannelsesinstitutionerne, virksomhederne og lokalsamfundet samarbejde om at "
            "udvikle Ballerup til en stærk uddannelses- og erhvervsby, hvor alle unge er "
            "under uddannelse, i relevante praktikforløb eller i job."
            "\n\n"
            "Unge i Ballerup Kommune skal styrkes til fremtidens arbejdsmarked ved at "
            "blive grundigt introduceret til mulighederne i de erhvervsmæssige og tekniske "
            "ungdomsuddannelser samt ved at blive bedre rustet til at gennemføre "
            "uddannelsen."
        ),
        department=ARBEJDSMARKED,
        contributors="Skoler, Institutioner og Kultur samt By, Erhverv og Miljø",
        supplementary_text=(
            "Indsatsen skal ses i sammenhæng med 3.22. Skolevejledere på skolerne, som "
            "Børne- og Skoleudvalget er ansvarlig for, og der skal tages stilling til, "
            "hvordan der kan sikres gennemslag til reduktion i forsørgelsesudgiften i "
            "2020 og 2021 på henholdsvis 1 mio. kr. og 2 mio. kr."
        ),
        economy_text="",
        milestones=(
            "Erhvervs- og Beskæftigelsesudvalget har drøftet mulige nye tiltag.",
            "Tids- og handleplan er forelagt for Erhvervs- og Beskæftigelsesudvalget "
            "vedrørende dialogen med erhvervslivet, og hvilke indsatser der skal "
            "iværksættes for, at unge blive bedre rustet til at gennemføre uddannelse.",
            "",
            "",
        ),
    ),
    Element(
        number="5.08.1",
        title="Flere job i Ballerup Kommune - Flere i job",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "Erhvervs- og vækstpolitik 2017-2021 har som et af sine mål at få 750 flere "
            "borgere i arbejde. Målet understøttes af virksomhederne og Center for "
            "Arbejdsmarkeds samarbejde om få skabt det bedste match mellem ledige jobs og "
            "ledige borgere."
            "\n\n"
            "I 2018 videreføres indsatsen fra 2017 med at få ledige, der er forsørgere og "
            "ikke-jobparate, i enten job eller uddannelse. Det drejer sig om ledige, som "
            "har en længere ledighedsperiode bag sig."
        ),
        department=ARBEJDSMARKED,
        contributors="",
        supplementary_text=(
            "Indsatsen for 2017 videreføres med ca. 200 borgere fordelt på kontanthjælpsmodtagere og uddannelseshjælpsmodtagere"
        ),
        economy_text=(
            "Aktivitetsparate kontanthjælpsmodtagere 2018:\n"
            "* Besparelse i forhold til udgangspunktet (2016) 5,7 mio. kr."
            "\n\n"
            "Aktivitetsparate uddannelseshjælpsmodtagere 2018:\n"
            "* Besparelse i forhold til udgangspunktet (2016) 4,6 mio. kr."
        ),
        milestones=(
            "Der er indgået kontrakter med anden aktør om videreførsel af indsatsen "
            "vedrørende aktivitetsparate kontanthjælpsmodtagere. Indsatsen omhandler ca. "
            "100 borgere, der endnu ikke er kommet i job eller uddannelse"
            "\n\n"
            "På uddannelseshjælpsområdet igangssættes 25 særlige individuelle "
            "kombinationsforløb, med fokus på aktivering og virksomhedspraktik.",
            "25 pct. af kontanthjælpsmodtagerne omfattet af indsatsen deltager eller har "
            "deltaget i virksomhedspraktik."
            "\n\n"
            "På uddannelseshjælpsområdet igangsættes der yderligere 50 særlige "
            "individuelle kombinationsforløb, med fokus på aktivering og "
            "virksomhedspraktik.",
            "Kapaciteten i indsatserne udnyttes 100 pct. pr. 1. oktober 2018.",
            "22 aktivitetsparate kontanthjælpsmodtagere (fuldtidspersoner) , er overgået "
            "til ordinært job, uddannelse eller anden selvforsørgelse i 2018."
            "\n\n"
            "19 uddannelseshjælpsmodtagere (fuldtidspersoner) er overgået til ordinært "
            "job, uddannelse eller anden selvforsørgelse i 2018.",
        ),
    ),
    Element(
        number="5.08.2",
        title="Flere job i Ballerup Kommune - Flere i fleksjob i Ballerup Kommune",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "Ballerup Kommune har i dag omkring 90 ansatte i fleksjob. Udfordringen i at "
            "øge dette antal er, at den enkelte arbejdsplads kan have vanskeligheder med "
            "at finde finansiering til disse ansættelser, såvel i forbindelse med "
            "nyansættelser af fleksjobbere, som ved fastholdelse af nuværende medarbejdere "
            "i et fleksjob."
            "\n\n"
            "Parterne er enige om at oprette en central lønpulje på 2 mio. kr. i 2018 til "
            "medfinansiering af kommunale arbejdspladsers ansættelse af i alt 20 ekstra "
            "fleksjobbere primo 2018."
            "\n\n"
            "Investeringen vil i 2018 være neutral, og give en besparelse på 0,5 mio. kr. "
            "i 2019 stigende til 1 mio. kr. i 2021."
        ),
        department=ARBEJDSMARKED,
        contributors="HR og Organisationsudvikling",
        supplementary_text=(
            "Forslaget indebærer, at den centrale lønpulje finansierer en andel af "
            "arbejdspladsens løn- og pensions-udgifter, som udfases over perioden "
            "2018-2020. Startniveauet i 2018 er sat til 70 pct. i tilskud til "
            "arbejdspladsens udgifter og udfases med henholdsvis 50 pct., 25 pct. og "
            "0 pct. henover årene 2019-2021."
        ),
        economy_text=(
            "Investeringen vil i 2018 være neutral, og give en besparelse på 0,5 mio. kr. i 2019 stigende til 1 mio. kr. i 2021."
        ),
        milestones=(
            "Der er ansat 10 yderligere fleksjobbere på de kommunale arbejdspladser i Ballerup Kommune.",
            "Der er ansat 10 yderligere fleksjobbere på de kommunale arbejdspladser i Ballerup Kommune.",
            "",
            "",
        ),
    ),
    Element(
        number="5.08.3",
        title="Flere job i Ballerup Kommune - Flere autister i job",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "Blandt de unge, der har vanskeligt ved at følge det almindelige "
            "uddannelsesforløb eller lykkes med den første kontakt til arbejdsmarkedet, er "
            "de unge autister. Der er tale om en gruppe af unge, der er psykisk sårbare og "
            "udsatte, men som samtidig med de rette vilkår og særlige hensyn kan lykkes "
            "med at gennemføre uddannelse eller finde en plads på arbejdsmarkedet."
            "\n\n"
            "Derfor vil der være gode potentialer i at investere i disse unge og således "
            "ved en større indsats få sat et positivt udviklingsforløb i gang. Det er en "
            "investering, som kan betyde, at den unge på sigt opnår selvforsørgelse og "
            "ikke mindst får mulighed for at gøre brug af sine evner og bidrage, frem for "
            "risikoen for isolation, som autister ofte kan opleve."
            "\n\n"
            "Parterne er enige om at investere i alt 0,9 mio. kr. i 2018-2019 til en "
            "ekstraindsats i samarbejde med Specialisterne overfor op til 20 borgere."
            "\n\n"
            "Det vil give en nettodriftsbesparelse på ca. 0,4 mio. kr. fra 2020."
        ),
        department=ARBEJDSMARKED,
        contributors="",
        supplementary_text=(
            "Der igangsættes en ekstraindsats for 10 borgere i 2018 og yderligere 10 "
            "borgere i 2019. Indsatsen ventes at realisere en besparelse på 0,4 mio. kr. "
            "i 2020 og 2021, svarende til 4 borgere overgår til selvforsørgelse."
        ),
        economy_text="Der afsættes 0,5 mio. kr. i 2018.",
        milestones=(
            "Der er udpeget 10 borgere til deltagelse i forløb hos Specialisterne i løbet af 2018.",
            "Der er opstartet forløb med de 10 relevante borgere.",
            "Borgerne har gennemgået ressource- og afklaringsforløb og er startet i virksomhedspraktik",
            "Minimum to borgere er overgået til selvforsørgelse og der er taget stilling "
            "eventuelt forlængelse af forløb hos Specialisterne.",
        ),
    ),
    Element(
        number="5.09",
        title="Sprogskole/sprogundervisning",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "I forbindelse med ændret lovgivning kan det nuværende sprogskolesamarbejde "
            "mellem Ballerup, Herlev og Rødovre Kommuner ikke videreføres i den nuværende "
            "form. Der er igangsat en undersøgelse af den fremtidige organisering og det "
            "er vurderet, at der kan realiseres en besparelse på 0,5 mio. kr. ved "
            "omlægning af Ballerup Sprogcenter fra 2019 og frem."
        ),
        department=ARBEJDSMARKED,
        contributors="",
        supplementary_text="",
        economy_text="Den økonomiske milepæl realiseres først fra 2019.",
        milestones=(
            "Der er i samarbejde med Herlev Kommune gennemført analyse af fordele og "
            "ulemper af mulige organisationsformer for danskuddannelser. Der er taget "
            "stilling til valg af model for fremtidig organisering af danskuddannelse.",
            "Plan for implementering af fremtidig model for organisering af dansk uddannelse i Ballerup Kommune er politisk godkendt.",
            "Realisering af fremtidig plan for organisering af dansk uddannelse følges.",
            "Fremtidig organisering af dansk uddannelse er på plads.",
        ),
    ),
    Element(
        number="5.10",
        title=("Indsats for ledige kvinder med ikke-vestlig baggrund til uddannelse eller selvforsørgelse"),
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "Parterne er enige om, at der skal udarbejdes forslag til, hvordan ledigheden "
            "og antallet af kvinder med ikke-vestlig baggrund på overførselsindkomst kan "
            "reduceres. Der reserveres en pulje på 1,5 mio. kr. i 2018 til investering i "
            "målgruppen med et forventet provenu i 2020 og 2021 på henholdsvis 0,5 mio. "
            "kr. og 1,5 mio. kr."
            "\n\n"
            "Erhvervs- og Beskæftigelsesudvalget tager stilling til de udarbejdede forslag "
            "til indsatser."
        ),
        department=ARBEJDSMARKED,
        contributors="Social og Sundhed",
        supplementary_text=(
            "Der forelægges og godkendes business cases på indsats i forhold til "
            "ikke-vestlige kvinder med henblik på selvforsørgelse."
            "\n\n"
            "Der udarbejdes to cases for henholdsvis indsats rettet mod jobparate og "
            "ikke-jobparate (aktivitetsparate) kvinder med ikke-vestlig baggrund."
            "\n\n"
            "Det forventede provenu i 2020 og 2021, svarer til, at henholdsvis 5 og 15 "
            "borgere overgår til selvforsørgelse."
        ),
        economy_text=(
            "Der er reserveret en pulje på 1,5 mio. kr. til indsatsen i 2018-2019, som "
            "Erhvervs- og Beskæftigelsesudvalget tager nærmere stilling i forbindelse med "
            "beslutning om valg af indsats. I indsatsplan fastlægges opfølgning på "
            "business case."
        ),
        milestones=(
            "Forslag til indsats/indsatsplan i 2018-2019, som administrationen vurderer "
            "vil indfri de ovennævnte beskæftigelseseffekter fra 2020 for målgruppen, er "
            "forelagt og behandlet i de(t) relevante fagudvalg i marts 2018.",
            "Indsats besluttet af de(t) relevante fagudvalg er pr. 1. juni 2018 i gang i overensstemmelse med indsatsplanen.",
            "Indsats besluttet af de(t) relevante fagudvalg følger indsatsplanen.",
            "Opfølgning på besluttet indsatsplan er forelagt de(t) relevante fagudvalg.",
        ),
    ),
    Element(
        number="5.11",
        title="Tolkebistand",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "I relation til arbejdet med integrationsborgere, og borgere med manglende "
            "danskkundskaber anvendes tolkebistand. Parterne er enige om, at det skal "
            "undersøges, hvordan tolkebistand anvendes, hvem der bruger det, og om den "
            "lovpligtige tolkebistand kan leveres på en mere omkostningseffektiv måde."
        ),
        department=ARBEJDSMARKED,
        contributors="Økonomi og Styring",
        supplementary_text=(
            "Ballerup Kommune har gennem Indkøbsfællesskab Nordsjælland haft tolkebistand "
            "i udbud i 2015. Økonomi og Styring vurderer, at større "
            "omkostningseffektivitet for tolkebistand kan opnås ved, at en større andel af "
            "kommunens tolkebistand købes igennem indkøbsaftalen."
        ),
        economy_text="",
        milestones=(
            "Kendskabet til kommunens indkøbsaftale for tolkebistand udbredes blandt kommunens centre og relevante medarbejdere.",
            "60 pct. af kommunens forbrug af tolkebistand købes igennem kommunens indkøbsaftaler",
            "75 pct. af kommunens forbrug af tolkebistand købes igennem kommunens indkøbsaftaler.",
            "80 pct. af kommunens forbrug af tolkebistand købes igennem kommunens "
            "indkøbsaftaler."
            "\n\n"
            "Administrationen forelægger inden årets udgang en sag til Erhvervs- og "
            "Beskæftigelsesudvalget om, hvordan tolkebistand anvendes og til hvilke "
            "målgrupper.",
        ),
    ),
    Element(
        number="5.13",
        title="Kriminalitetsforebyggelse",
        committee=COMMITTEE,
        budget_kind=BudgetKind.OPERATING,
        agreement_text=(
            "I Ballerup Kommune har der de seneste år været stor politisk fokus på at "
            "sikre et trygt lokalmiljø, og kommunen har i den sammenhæng arbejdet med den "
            "såvel præventive som reaktive kriminalitetsindsats. Der er iværksat en øget "
            "indsats på beskæftigelsesområdet, som omfatter stærkere indsats i forhold til "
            "at få borgerne væk fra det kriminelle miljø, tættere på job og uddannelse, "
            "herunder Exit-løsninger, samarbejder med Kriminalforsorgen om God "
            "Løsladelse, og antiradikalisering."
            "\n\n"
            "Parterne er enige om vigtigheden af, at den sammenhængende strategi for en "
            "såvel præventiv som reaktiv indsats overfor kriminelle og "
            "kriminalitetstruede borgere videreføres. Der er således enighed om at "
            "prioritere 1,8 mio. kr. årligt til videreførelse af den igangværende indsats."
        ),
        department=ARBEJDSMARKED,
        contributors="By, Erhverv og Miljø samt Social og Sundhed",
        supplementary_text=(
            "Indsatsen er en videreførelse af den hidtidige indsats. Den lille Enhed "
            "arbejder med kriminelle og kriminalitetstruede borgere. Indsatsen udvikles i "
            "takt med målgruppens sammensætning og behov, herunder arbejdet med særlige "
            "aktiveringstilbud og exit-indsats."
        ),
        economy_text="Der er afsat 1,8 mio. kr. i 2018",
        milestones=(
            "Orientering til Erhvervs- og Beskæftigelsesudvalget samt Social- og "
            "Sundhedsudvalget om fortsættelse af den hidtidige indsats.",
            "",
            "",
            "",
        ),
    ),
)

AGREEMENT = Agreement(
    year=2018,
    title="Aftale om budget 2018",
    office="Økonomi og Styring",
    date=date(2018, 7, 4),
    phone="4024 1712",
    email="okonomi@balk.dk",
    contact="Sascha Hjorth",
    case_number="00.30.00-S00-9-16",
    guide_progress=GUIDE_PROGRESS,
    guide_economy=GUIDE_ECONOMY,
    rounds=ROUNDS,
    committees=(Committee(name=COMMITTEE, section="5", area="Erhverv og Beskæftigelse", emails=()),),
    departments=(
        Department(name=BY_ERHVERV_MILJO, emails=()),
        Department(name=ARBEJDSMARKED, emails=()),
    ),
    elements=ELEMENTS,
)

# --- What staff returned -----------------------------------------------------------
#
# The PDF drew the smileys with the Wingdings font; the extracted text still holds
# them as the private-use characters U+F04A/U+F04B/U+F04C (Wingdings J/K/L: smiling,
# neutral, frowning face), and the reading guide pairs each with its definition, so
# where the seed has one it is transcribed here. The seed shows one economy smiley
# per element; the report is the round-2 follow-up, so it belongs to round 2.
G, Y, R = Smiley.GREEN, Smiley.YELLOW, Smiley.RED

# (element, round, "progress" | "economy") -> smiley, as the seed shows it.
SMILEYS_FROM_SEED: dict[tuple[str, int, str], Smiley] = {
    ("5.01", 2, "progress"): G,
    ("5.02", 1, "progress"): R,
    ("5.02", 2, "progress"): Y,
    ("5.08.1", 1, "progress"): G,
    ("5.08.1", 2, "progress"): Y,
    ("5.08.1", 2, "economy"): G,
    ("5.08.2", 1, "progress"): R,
    ("5.08.2", 2, "progress"): R,
    ("5.08.2", 2, "economy"): G,
    ("5.08.3", 1, "progress"): G,
    ("5.08.3", 2, "progress"): Y,
    ("5.08.3", 2, "economy"): G,
    ("5.09", 1, "progress"): G,
    ("5.09", 2, "progress"): G,
    ("5.09", 2, "economy"): G,
    ("5.10", 1, "progress"): G,
    ("5.10", 2, "progress"): G,
    ("5.10", 2, "economy"): G,
    ("5.11", 1, "progress"): G,
    ("5.11", 2, "progress"): G,
    ("5.13", 1, "progress"): G,
    ("5.13", 2, "economy"): G,
}

# Chosen to fit the texts where the seed shows no smiley (staff must pick one for
# every element): empty milestones (5.01 round 1, 5.13 round 2) count as reached;
# round-1 economy repeats round 2 where the seed has it; 5.01 and 5.11 have no
# money set aside, so their budget is kept; 5.02's savings "kan ikke findes" → red.
ILLUSTRATIVE_SMILEYS: dict[tuple[str, int, str], Smiley] = {
    ("5.01", 1, "progress"): G,
    ("5.01", 1, "economy"): G,
    ("5.01", 2, "economy"): G,
    ("5.02", 1, "economy"): R,
    ("5.02", 2, "economy"): R,
    ("5.08.1", 1, "economy"): G,
    ("5.08.2", 1, "economy"): G,
    ("5.08.3", 1, "economy"): G,
    ("5.09", 1, "economy"): G,
    ("5.10", 1, "economy"): G,
    ("5.11", 1, "economy"): G,
    ("5.11", 2, "economy"): G,
    ("5.13", 1, "economy"): G,
    ("5.13", 2, "progress"): G,
}

SMILEY_NOTE = (
    "Smileys: de fleste er aflæst i kilden (PDF-teksten bevarer dem som "
    "Wingdings-tegn, og læsevejledningen giver deres betydning). Hvor kilden ikke "
    "viser en smiley – bl.a. økonomi ved 1. budgetopfølgning og 5.01, 5.02 og 5.11 – "
    "er den valgt til illustration, så den passer til teksten.\n"
    "Smileys: most are read from the seed (its PDF text keeps them as Wingdings "
    "characters, and the reading guide gives their meaning). Where the seed shows "
    "none – among them all round-1 economy smileys and 5.01, 5.02 and 5.11 economy – "
    "they are illustrative, chosen to fit the text."
)

# Status texts as returned: (element, round) -> (status, economy_status).
_STATUS: dict[tuple[str, int], tuple[str, str]] = {
    ("5.02", 1): (
        "Ungemålgruppen er analyseret og de estimerede besparelser kan ikke findes på "
        "de 18- til 19-årige. Der er behov for en drøftelse af emnet i forhold til at "
        "opnå besparelsen.",
        "",
    ),
    ("5.02", 2): (
        "Med baggrund i Ungeanalysen arbejdes med en målgruppeafklaring som forarbejde "
        "for en tids- og handleplan. Tids- og handleplanen forventes fremlagt i fjerde "
        "kvartal.",
        "",
    ),
    ("5.08.1", 2): (
        "Målet vedrørende uddannelseshjælpsområdet er nået, men målet vedrørende kontanthjælpsmodtagerne er ikke nået.",
        "",
    ),
    ("5.08.2", 1): (
        "Indsatsen kom senere i gang end planlagt, og derfor er der kun ansat 2 ud af 10 "
        "på nuværende tidspunkt. Målet om 20 fleksjobbere i 2018 fastholdes og "
        "forventes opfyldt.",
        "",
    ),
    ("5.08.2", 2): (
        "Der er i alt kommet 7 flere fleksjobbere, hvoraf 5 allerede er ansat medio maj "
        "og yderligere 2 ansættelser er i proces. Usikkerhed om 2019-budgetter (jf. "
        "Omstillingsarbejdet) og aktuelt ansættelsesstop i administrationen (jf. "
        "servicerammeopbremsning) har vanskeliggjort indsatsen.",
        "Besparelsen fra 2019 og frem sker under forudsætning af, at de 20 ansatte fleksjobbere opnår helårseffekt fra 2019.",
    ),
    ("5.08.3", 2): (
        "Der er planlagt opstart af forløb for 10 konkrete borgere i henholdsvis maj og august.",
        "",
    ),
}


def _smiley(element: str, round_number: int, kind: str) -> Smiley:
    key = (element, round_number, kind)
    return SMILEYS_FROM_SEED.get(key) or ILLUSTRATIVE_SMILEYS[key]


def _result(element: str, round_number: int) -> Result:
    status, economy_status = _STATUS.get((element, round_number), ("", ""))
    return Result(
        element=element,
        round=round_number,
        progress=_smiley(element, round_number, "progress"),
        status=status,
        economy=_smiley(element, round_number, "economy"),
        economy_status=economy_status,
    )


RETURNS: dict[int, list[Result]] = {n: [_result(e.number, n) for e in ELEMENTS] for n in (1, 2)}


# Where the seed's own wording differs from the factory texts (workbook_tools/texts.py),
# the example's layout.xlsx quotes the seed: its slip "under givende forudsætninger" and
# its column heading "Tid". The factory texts say "under de givne forudsætninger" and "Runde".
SEED_WORDING = {
    "guide_progress_red": (
        "Milepæl er ikke nået, og det er ikke realistisk at nå milepæl inden for budgetperioden under givende forudsætninger."
    ),
    "col_time": "Tid",
}
