"""Audit finding 8: NAV's own HL110 kommune CSV is read (live-only card nav/hl110_kommune).

The layout (";", cp1252, Fylkesnr;Fylkenavn;Kommunenr;Kommunenavn;År;Månedsnummer;Beholdning;Andel av
arbeidsstyrken, decimal comma) is as Yeloby/samfunnsdata providers/norway/nav reads NAV's file live. No
saved HL110 file exists, so the figures are NAV's own from its January 2026 workbook
(../shared/data/verbatim/nav/evensrii_2026-02-05.xlsx, sheet Telemark, block "Begge kjønn", Helt ledige),
written in the HL110 layout and read back.
"""
from __future__ import annotations

import warnings

from loaders import nav
from loaders.cards import SOURCES_DIR, load_card
from loaders.transport import Response

CARD = load_card(SOURCES_DIR / "nav_hl110_kommune.yml")


def _workbook_helt_ledige(shared_data) -> dict[str, tuple[int, float]]:
    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(shared_data / "verbatim" / "nav" / "evensrii_2026-02-05.xlsx",
                                    read_only=True, data_only=True)
    out = {}
    for r in wb["Telemark"].iter_rows(min_row=3, values_only=True):
        # right block: År, År-måned, level, "4001 Porsgrunn", status, kjønn, count, percent
        block = r[10:18]
        if block[1] == 202601 and block[4] == "Helt ledige" and block[5] == "Begge kjønn":
            out[str(block[3]).split()[0]] = (block[6], block[7])
    wb.close()
    return out


class _File:
    name = "live"

    def __init__(self, content):
        self.content = content

    def send(self, request):
        assert request.url == CARD.query["url"]
        return Response(self.content, 200, {})


def test_hl110_layout_with_nav_figures(shared_data):
    real = _workbook_helt_ledige(shared_data)
    assert len(real) == 17 and real["4003"][0] > 0
    lines = [";".join(nav.HL110_COLUMNS)]
    for code, (count, pct) in sorted(real.items()):
        share = "*" if count == "*" else str(pct).replace(".", ",")
        lines.append(f"40;Telemark;{code};Kommune {code};2026;1;{count};{share}")
    lines.append("21;Svalbard;2100;Svalbard;2026;1;*;*")
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    result = nav.fetch(CARD, _File(content))
    df = result.rows
    assert set(df.period) == {"2026-01"} and set(df.geo_vintage) == {2026}
    assert "2100" not in set(df.geo_code)
    for code, (count, pct) in real.items():
        got = df[(df.geo_code == code) & (df.measure == "antall")].iloc[0]
        assert got.value == count
        share = df[(df.geo_code == code) & (df.measure == "andel_av_arbeidsstyrken")].iloc[0]
        assert share.value == pct and share.unit == "prosent"
    assert set(df.dims) == {"arbeidsmarkedsstatus=helt_ledige|kjonn=alle"}


def test_card_is_live_only():
    assert CARD.offline is False and CARD.query["url"].startswith("https://www.nav.no/")
