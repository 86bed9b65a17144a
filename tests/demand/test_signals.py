"""The vectorised signal builders: one signal per demanded item, attributes from the catalog."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa

from pipelines.demand.signals import SIGNAL_IN_SCHEMA, described, signals_table
from pipelines.extract import EXTRACTOR_VERSION
from schemas.arrow import arrow_schema
from schemas.staging import StgCatalog, StgFrontlineNote, StgLostSale, StgOosLookup

AT = datetime(2026, 11, 17, 13, 0, tzinfo=UTC)
DAY = {"event_date": date(2026, 11, 17), "iso_week": "2026-W47"}
FILE = {"source_file": "x", "source_line": 1}
CATALOG = pa.Table.from_pylist(
    [
        {"sku": "SKU-1", "style": "Coat", "category": "coat", "color": "navy",
         "color_family": "blue", "pattern": "solid", "size": "L", "list_price": 189.0, **FILE},
    ],
    schema=arrow_schema(StgCatalog, described=False),
)  # fmt: skip


def item(**attrs):
    return {"category": None, "color": None, "shade": None, "pattern": None, "size": None,
            "size_modifier": None, **attrs}  # fmt: skip


def note(note_id, demanded, sku=None, expressed=False, customer=None):
    return {
        "note_id": note_id, "store_id": "S1", "channel": "store", "associate_id": None,
        "captured_at": AT, **DAY, "text": "t", "redactions": 0, "sku": sku,
        "customer_ref": customer, "customer_consent": customer is not None,
        "demand_expressed": expressed, "category": None, "demanded": demanded,
        "rejected_colors": [], "extractor_version": "v", **FILE,
    }  # fmt: skip


def signals(source, model, rows):
    table = pa.Table.from_pylist(rows, schema=arrow_schema(model, described=False))
    out = signals_table(source, table, CATALOG)
    assert out.schema == SIGNAL_IN_SCHEMA
    return out.to_pylist()


def test_a_note_gives_one_signal_per_item_and_one_for_demand_without_attributes():
    rows = [
        note("N-1", [item(category="coat", color="red"), item(category="scarf", size="M")],
             customer="C1"),
        note("N-2", [], expressed=True),
        note("N-3", []),  # asks for nothing: no signal
        note("N-4", [item(color="green")], sku="SKU-1"),
    ]  # fmt: skip
    out = signals("frontline_notes", StgFrontlineNote, rows)
    assert [(s["signal_id"], s["item_no"], s["category"], s["color"], s["size"]) for s in out] == [
        ("N-1#1", 1, "coat", "red", None),
        ("N-1#2", 2, "scarf", None, "M"),
        ("N-2#1", 1, None, None, None),
        ("N-4#1", 1, "coat", "green", "L"),  # the note's colour wins, the rest from the sku
    ]
    assert [s["customer_ref"] for s in out] == ["C1", "C1", None, None]
    assert {s["hint"] for s in out} == {"note"}


def test_a_notes_sku_in_the_catalog_gives_its_category_and_what_the_text_did_not_name():
    # review 14b: "grey hooded top" (top) with the scanned sku of a coat is a coat; the text's
    # color wins, the size comes from the sku; a sku the catalog lacks changes nothing
    rows = [
        note("N-1", [item(category="top", color="grey")], sku="SKU-1"),
        note("N-2", [item(category="top", color="grey")], sku="SKU-404"),
        note("N-3", [item(category="jacket", color="blue")], sku="SKU-1"),
        note("N-4", [item(category="coat", color="blue", shade="cobalt")], sku="SKU-1"),
    ]
    out = signals("frontline_notes", StgFrontlineNote, rows)
    assert [(s["category"], s["color"], s["shade"], s["size"]) for s in out] == [
        ("coat", "grey", None, "L"),  # the sku's shade (navy) is not a shade of grey
        ("top", "grey", None, None),
        ("coat", "blue", "navy", "L"),  # blue, and the sku says which blue
        ("coat", "blue", "cobalt", "L"),  # the shade the text names
    ]


def test_only_unmet_lookups_are_signals_with_catalog_attributes():
    rows = [
        {"lookup_id": f"L-{r}", "store_id": "S1", "channel": "store", "sku": "SKU-1",
         "looked_up_at": AT, **DAY, "result": r, "on_hand_qty": 0, **FILE}
        for r in ("out_of_stock", "in_stock", "not_carried")
    ]  # fmt: skip
    out = signals("oos_lookups", StgOosLookup, rows)
    assert [(s["signal_id"], s["hint"], s["shade"], s["color"]) for s in out] == [
        ("L-out_of_stock#1", "lookup:out_of_stock", "navy", "blue"),
        ("L-not_carried#1", "lookup:not_carried", "navy", "blue"),
    ]


def test_a_lost_sale_without_sku_is_read_from_its_description():
    def sale(sale_id, reason, sku=None, description=None):
        return {"sale_id": sale_id, "store_id": "S1", "sku": sku, "reason_code": reason,
                "quantity": 2, "unit_price": 50.0, "currency": "EUR", "occurred_at": AT, **DAY,
                "substitute_sku": None, "description": description, "redactions": 0, **FILE}  # fmt: skip

    rows = [
        sale("LS-1", "out_of_stock", sku="SKU-1"),
        sale("LS-2", "color_unavailable", description="wanted the coat in green"),
        sale("LS-3", "price", sku="SKU-1"),  # the item was there: not unmet demand
    ]
    out = signals("lost_sales", StgLostSale, rows)
    got = [(s["signal_id"], s["category"], s["color"], s["quantity"], s["extractor_version"])
           for s in out]  # fmt: skip
    assert got == [
        ("LS-1#1", "coat", "blue", 2, None),
        ("LS-2#1", "coat", "green", 2, EXTRACTOR_VERSION),
    ]


def test_repeated_lost_sale_descriptions_are_extracted_alike():
    text = "wanted the navy coat in L"
    out = described([text, None, text, ""])
    assert out["category"][0] == "coat"
    assert [out[name][0] for name in out] == [out[name][2] for name in out]
    assert all(out[name][1] is None and out[name][3] is None for name in out)
