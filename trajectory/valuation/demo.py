"""Demo contracts, revenue years and claims in every state, with small real evidence files.

Dates are relative to today, so the yearly cycle (due, late) always has
something to show. Everything goes through the same services a person uses,
so approved values are frozen by the engine exactly as in real work.
"""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from trajectory.auth.models import User
from trajectory.demo.data import register_demo_step
from trajectory.extensions import db
from trajectory.organisations.models import Organisation
from trajectory.timeutil import today
from trajectory.valuation import services
from trajectory.valuation.evidence import store_bytes
from trajectory.valuation.ledger import contract_ledger
from trajectory.valuation.models import (
    EVIDENCE_PLAN,
    EVIDENCE_PSO,
    Claim,
    ClaimKind,
    Contract,
    Remedy,
)


def tiny_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF with the given lines (Helvetica, WinAnsi)."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 11 Tf 56 780 Td 16 TL " + " ".join(f"({esc(line)}) Tj T*" for line in lines)
    stream_bytes = (stream + " ET").encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream_bytes) + stream_bytes + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def tiny_png(width: int = 16, height: int = 16, rgb: tuple[int, int, int] = (81, 21, 239)) -> bytes:
    """A small, valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


def _org(name: str) -> Organisation:
    return db.session.scalars(sa.select(Organisation).where(Organisation.name == name)).one()


def _user(username: str) -> User:
    return db.session.scalars(sa.select(User).where(User.username == username)).one()


def _contract(name: str, reference: str, client: str, provider: str, start: date, end: date,
              *, rulebook: str = "bouwblokken-2023", pso: tuple[str, date, date] | None = None,
              revenue: dict[int, tuple[str | None, str | None]]) -> Contract:
    step, valid_from, valid_until = pso or (None, None, None)
    contract = services.create_contract(services.ContractTerms(
        name=name, reference=reference, client=_org(client), provider=_org(provider),
        start=start, end=end, rulebook=rulebook, pso_step=step, pso_valid_from=valid_from,
        pso_valid_until=valid_until))
    _revenue(contract, revenue)
    return contract


def _revenue(contract: Contract, revenue: dict[int, tuple[str | None, str | None]]) -> None:
    for row in contract.years:
        forecast, actual = revenue.get(row.year, (None, None))
        services.save_year_figures(row, forecast=Decimal(forecast) if forecast else None,
                                   actual=Decimal(actual) if actual else None)


def _claim(contract: Contract, kind: ClaimKind, user: User | None, *, files=(), **fields) -> Claim:
    claim = services.create_claim(contract, kind, services.ClaimData(**fields), user)
    for filename, data in files:
        store_bytes(data, filename, contract=contract, user=user, claim=claim)
    return claim


def _judged(claim: Claim, adviser: User, *, submitted: date, judged: date,
            approve: bool = True, reason: str | None = None) -> None:
    """Submit and judge as it happened on those days (the flow itself runs through the services)."""
    services.submit_claim(claim, claim.created_by, on=submitted)
    services.judge_claim(claim, adviser, approve=approve, reason=reason, on=judged)
    claim.submitted_at = _moment(submitted)
    claim.judged_at = _moment(judged)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=UTC)


def _invoice(number: str, supplier: str, amount: str, day: date) -> tuple[str, bytes]:
    return (f"factuur-{number}.pdf", tiny_pdf([
        f"FACTUUR {number}", supplier, f"Factuurdatum: {day:%d-%m-%Y}",
        f"Bedrag excl. btw: EUR {amount}", "Demobestand Trajectory (verzonnen gegevens)."]))


def load_valuation_demo() -> None:
    """Seven contracts for the six demo providers, claims in every state, one final evaluation."""
    now = today()
    y = now.year
    adviser, intaker, intaker2 = _user("adviseur"), _user("intaker"), _user("intaker2")
    wisse, vandijke = _user("t.wisse"), _user("l.vandijke")

    # 1. Zorggroep Scheldezoom and Goes: the fullest ledger (claims in every state).
    goes = _contract(
        "Wmo-begeleiding en dagbesteding Goes", f"WMO-GOES-{y - 2}-017", "Goes",
        "Zorggroep Scheldezoom", date(y - 2, 1, 1), date(y + 1, 12, 31),
        revenue={y - 2: ("460000.00", "472350.00"), y - 1: ("480000.00", "468900.00"),
                 y: ("495000.00", None), y + 1: ("500000.00", None)})
    services.review_year(next(r for r in goes.years if r.year == y - 2), adviser,
                         on=date(y - 1, 4, 14))
    helper = services.add_subcontractor(goes, "Thuishulp Walcheren")
    store_bytes(tiny_pdf(["Plan van aanpak Social Return", "Zorggroep Scheldezoom - Goes",
                          "1. Werkervaringsplaatsen in de dagbesteding",
                          "2. Inkoop bij SW-bedrijf en sociale ondernemingen",
                          "3. Gastlessen en meeloopdagen met Scalda"]),
                "plan-van-aanpak-scheldezoom.pdf", contract=goes, user=intaker, kind=EVIDENCE_PLAN)
    cleaning_day = date(y - 1, 3, 31)
    cleaning = _claim(goes, ClaimKind.PURCHASE, intaker,
                      description="Schoonmaak door SW-bedrijf Orionis (eerste kwartaal)",
                      day=cleaning_day, supplier_name="Orionis Walcheren",
                      supplier_type="sw_bedrijf", amount=Decimal("18450.00"),
                      files=[_invoice("OW-2291", "Orionis Walcheren", "18.450,00", cleaning_day)])
    _judged(cleaning, adviser, submitted=date(y - 1, 4, 20), judged=date(y - 1, 5, 12))
    lesson = _claim(goes, ClaimKind.ACTIVITY, intaker,
                    description="Gastles 'Werken in de zorg' op het Scalda",
                    day=date(y - 1, 10, 8), hours=Decimal("6"),
                    files=[("foto-gastles-scalda.png", tiny_png())])
    _judged(lesson, adviser, submitted=date(y - 1, 10, 20), judged=date(y - 1, 11, 2))
    open_day = _claim(goes, ClaimKind.ACTIVITY, intaker,
                      description="Meeloopmiddag voor statushouders bij de thuishulp",
                      day=now - timedelta(days=75), hours=Decimal("12"),
                      subcontractor_id=helper.id)
    _judged(open_day, adviser, submitted=now - timedelta(days=70), judged=now - timedelta(days=60))
    catering_day = now - timedelta(days=30)
    catering = _claim(goes, ClaimKind.PURCHASE, intaker,
                      description="Lunches voor de dagbesteding",
                      day=catering_day, supplier_name="Lunchroom De Kade",
                      supplier_type="social_enterprise_nl", amount=Decimal("6200.00"),
                      files=[_invoice("DK-0412", "Lunchroom De Kade", "6.200,00", catering_day)])
    services.submit_claim(catering, intaker)
    proposal = _claim(goes, ClaimKind.ACTIVITY, intaker,
                      description="Taalcafé op de werkvloer: NT2-oefenuren voor nieuwe collega's",
                      day=now + timedelta(days=45), hours=Decimal("40"))
    services.propose_claim(proposal, intaker)
    market = _claim(goes, ClaimKind.ACTIVITY, intaker,
                    description="Bijdrage aan de kerstmarkt van de wijkvereniging",
                    day=date(y - 1, 12, 14), hours=Decimal("8"))
    _judged(market, adviser, submitted=date(y, 1, 8), judged=date(y, 1, 22), approve=False,
            reason=("Dit is sponsoring van een buurtactiviteit: het helpt geen mensen uit de "
                    "doelgroep op weg naar werk. Meld gastlessen of meeloopdagen als "
                    "maatschappelijke activiteit."))
    _claim(goes, ClaimKind.PURCHASE, intaker, description="Drukwerk jaarverslag",
           day=now - timedelta(days=10), supplier_name="Drukkerij Emergo",
           supplier_type="sw_bedrijf", amount=Decimal("2150.00"))

    # 2. Stichting Welzijn De Bevelanden and the region: a region contract with an extension.
    region = _contract(
        "Regionale inkoop Wmo-ondersteuning Oosterschelde", f"REGIO-OS-{y - 3}-004",
        "Regio Oosterschelde", "Stichting Welzijn De Bevelanden", date(y - 3, 1, 1),
        date(y, 12, 31), revenue={})
    services.save_extension(region, None, start=date(y + 1, 1, 1), end=date(y + 2, 12, 31),
                            exercised=True)
    _revenue(region, {y - 3: ("300000.00", "296400.00"), y - 2: ("310000.00", "318250.00"),
                      y - 1: ("320000.00", "325100.00"), y: ("330000.00", None),
                      y + 1: ("335000.00", None), y + 2: ("340000.00", None)})
    store_bytes(tiny_pdf(["Plan van aanpak Social Return", "Stichting Welzijn De Bevelanden"]),
                "plan-van-aanpak-bevelanden.pdf", contract=region, user=intaker2,
                kind=EVIDENCE_PLAN)
    green_day = date(y - 1, 6, 30)
    green = _claim(region, ClaimKind.PURCHASE, intaker2, description="Onderhoud tuinen",
                   day=green_day, supplier_name="Groenvoorziening Zeeland",
                   supplier_type="pso_step2", amount=Decimal("12000.00"),
                   files=[_invoice("GZ-118", "Groenvoorziening Zeeland", "12.000,00", green_day)])
    _judged(green, adviser, submitted=date(y - 1, 7, 10), judged=date(y - 1, 8, 20))
    porthos_day = date(y - 1, 12, 31)
    porthos = _claim(region, ClaimKind.PURCHASE, intaker2,
                     description="Detachering van twee medewerkers huishoudelijke hulp",
                     day=porthos_day, supplier_name="SW-bedrijf Porthos",
                     supplier_type="sw_bedrijf", amount=Decimal("58000.00"),
                     files=[_invoice("PO-2025-31", "SW-bedrijf Porthos", "58.000,00",
                                     porthos_day)])
    _judged(porthos, adviser, submitted=date(y, 1, 15), judged=date(y, 2, 3))
    visit = _claim(region, ClaimKind.ACTIVITY, intaker2,
                   description="Schoolbezoek Ostrea Lyceum: beroepenvoorlichting zorg en welzijn",
                   day=date(y - 2, 2, 9), hours=Decimal("4"))
    _judged(visit, adviser, submitted=date(y - 2, 2, 12), judged=date(y - 2, 3, 1))
    fund = _claim(region, ClaimKind.FUND, intaker2, description="Storting Social Return-fonds",
                  day=now - timedelta(days=20), amount=Decimal("5000.00"),
                  files=[("betaalbewijs-fonds.pdf", tiny_pdf(["Betaalbewijs storting",
                                                              "EUR 5.000,00"]))])
    services.submit_claim(fund, intaker2)

    # 3. Thuiszorg Zeeuwse Stroom and Reimerswaal: PSO step 2 covering the whole base period.
    stroom = _contract(
        "Hulp bij het huishouden Reimerswaal", f"WMO-REIM-{y - 1}-002", "Reimerswaal",
        "Thuiszorg Zeeuwse Stroom", date(y - 1, 1, 1), date(y + 2, 12, 31),
        pso=("step2", date(y - 2, 3, 1), date(y + 3, 2, 28)),
        revenue={y - 1: ("240000.00", "236800.00"), y: ("245000.00", None),
                 y + 1: ("250000.00", None), y + 2: ("250000.00", None)})
    coffee = _claim(stroom, ClaimKind.PURCHASE, vandijke, description="Koffie en thee",
                    day=date(y - 1, 9, 1), supplier_name="Koffiebranderij De Werkplaats",
                    supplier_type="code_sociale_onderneming", amount=Decimal("3400.00"),
                    files=[_invoice("KW-77", "Koffiebranderij De Werkplaats", "3.400,00",
                                    date(y - 1, 9, 1))])
    _judged(coffee, adviser, submitted=date(y - 1, 9, 20), judged=date(y - 1, 10, 15))
    laundry_day = date(y, 3, 31)
    laundry = _claim(stroom, ClaimKind.PURCHASE, vandijke, description="Wasserij",
                     day=laundry_day, supplier_name="Orionis Walcheren",
                     supplier_type="sw_bedrijf", amount=Decimal("16500.00"),
                     files=[_invoice("OW-3120", "Orionis Walcheren", "16.500,00", laundry_day)])
    _judged(laundry, adviser, submitted=date(y, 4, 14), judged=date(y, 5, 2))

    # 4. Oosterschelde Wonen en Zorg and Schouwen-Duiveland: a certificate (file attached by the
    # adviser) that covers half of the base period, so the discount applies pro rata; a late
    # forecast and later years without figures, so the obligation is provisional.
    wonen = _contract(
        "Beschermd wonen en begeleiding Schouwen-Duiveland", f"WMO-SD-{y - 2}-009",
        "Schouwen-Duiveland", "Oosterschelde Wonen en Zorg", date(y - 2, 7, 1),
        date(y + 2, 6, 30), pso=("step2", date(y - 4, 1, 1), date(y, 6, 30)),
        revenue={y - 2: ("190000.00", "187600.00"), y - 1: ("380000.00", "391200.00")})
    store_bytes(tiny_pdf(["Certificaat PSO Prestatieladder Socialer Ondernemen",
                          "Oosterschelde Wonen en Zorg - trede 2",
                          f"Geldig van 01-01-{y - 4} tot en met 30-06-{y}",
                          "Demobestand Trajectory (verzonnen gegevens)."]),
                "pso-certificaat-oosterschelde-wonen.pdf", contract=wonen, user=adviser,
                kind=EVIDENCE_PSO)
    school = _claim(wonen, ClaimKind.ACTIVITY, wisse,
                    description="Werkervaringsdag voor leerlingen van VSO De Wissel",
                    day=now - timedelta(days=14), hours=Decimal("10"))
    services.submit_claim(school, wisse)

    # 5. Zorgcoöperatie Tholen-Schouwen and Tholen: under the threshold, no obligation.
    _contract("Dagbesteding Tholen", f"WMO-THO-{y - 1}-001", "Tholen",
              "Zorgcoöperatie Tholen-Schouwen", date(y - 1, 1, 1), date(y + 2, 12, 31),
              revenue={y - 1: ("45000.00", "44200.00"), y: ("45000.00", None),
                       y + 1: ("45000.00", None), y + 2: ("45800.00", None)})

    # Begeleid Wonen Zeeland-Oost has no demo account: its claims were entered by nobody we know.
    # 6. Begeleid Wonen Zeeland-Oost and Kapelle: ended, with a shortfall and its remedy; its
    # PSO certificate came after the contract ended, so it gives no discount.
    kapelle = _contract(
        "Begeleid wonen Kapelle", f"WMO-KAP-{y - 5}-003", "Kapelle",
        "Begeleid Wonen Zeeland-Oost", date(y - 5, 1, 1), date(y - 2, 12, 31),
        pso=("step1", date(y - 1, 1, 1), date(y + 1, 12, 31)),
        revenue={year: ("255000.00", actual) for year, actual in (
            (y - 5, "251300.00"), (y - 4, "262750.00"), (y - 3, "258900.00"),
            (y - 2, "266050.00"))})
    for row in kapelle.years:
        services.review_year(row, adviser, on=date(row.year + 1, 4, 1))
    for day, supplier, amount in ((date(y - 4, 5, 1), "Orionis Walcheren", "21000.00"),
                                  (date(y - 3, 5, 1), "Orionis Walcheren", "14500.00")):
        purchase = _claim(kapelle, ClaimKind.PURCHASE, None, description="Linnenservice",
                          day=day, supplier_name=supplier, supplier_type="sw_bedrijf",
                          amount=Decimal(amount),
                          files=[_invoice(f"OW-{day.year}", supplier, amount, day)])
        _judged(purchase, adviser, submitted=day + timedelta(days=10),
                judged=day + timedelta(days=30))
    ledger = contract_ledger(kapelle)
    services.record_final_evaluation(
        ledger, adviser, remedy=Remedy.FUND, decided_on=date(y - 1, 3, 15),
        decision=("Tekort besproken met de aanbieder op 10 maart. Afgesproken: de aanbieder "
                  "stort het tekort vóór 1 juli in het Social Return-fonds van Kapelle."))

    # 7. Begeleid Wonen Zeeland-Oost and Borsele: a new contract with forecasts for its first two
    # years only, so the obligation is provisional. (A live contract takes an adopted edition;
    # the 2025 concept edition shows in the calculator and in a claim's "what if".)
    borsele = _contract(
        "Ambulante begeleiding Borsele", f"WMO-BOR-{y}-006", "Borsele",
        "Begeleid Wonen Zeeland-Oost", date(y, 1, 1), date(y + 3, 12, 31),
        revenue={y: ("240000.00", None), y + 1: ("240000.00", None)})
    talk = _claim(borsele, ClaimKind.ACTIVITY, None,
                  description="Voorlichting 'Werken in de zorg' in het buurthuis van 's-Heerenhoek",
                  day=date(y, 3, 12), hours=Decimal("8"))
    _judged(talk, adviser, submitted=date(y, 3, 20), judged=date(y, 4, 2))


register_demo_step("valuation", load_valuation_demo)
