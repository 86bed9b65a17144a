"""The planted truth agrees with the source files and the catalog."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from pipelines.generate.vocab import SHADES


@pytest.fixture(scope="module")
def records(dataset):
    """Every source record by id, as (source, record)."""
    found = {note["note_id"]: ("frontline_notes", note) for note in dataset.notes}
    found.update({row["lookup_id"]: ("oos_lookups", row) for row in dataset.lookups})
    found.update({row["sale_id"]: ("lost_sales", row) for row in dataset.lost_sales})
    return found


@pytest.fixture(scope="module")
def traces_by_event(dataset):
    grouped = defaultdict(list)
    for trace in dataset.traces:
        grouped[trace["event_id"]].append(trace)
    return grouped


def _when(record: dict) -> datetime:
    for key in ("captured_at", "looked_up_at", "occurred_at"):
        if key in record:
            return datetime.fromisoformat(record[key])
    raise KeyError("no timestamp")


def test_every_trace_points_at_a_real_record(dataset, records) -> None:
    events = {event["event_id"] for event in dataset.events}
    for trace in dataset.traces:
        assert trace["event_id"] in events
        source, _ = records[trace["record_id"]]
        assert source == trace["source"]
    assert len({trace["record_id"] for trace in dataset.traces}) == len(dataset.traces)


def test_every_event_has_its_traces_within_20_minutes(dataset, records, traces_by_event) -> None:
    for event in dataset.events:
        traces = traces_by_event[event["event_id"]]
        assert 1 <= len(traces) <= 3 and len(traces) == int(event["n_traces"])
        start = datetime.fromisoformat(event["occurred_at"])
        for trace in traces:
            record = records[trace["record_id"]][1]
            assert record["store_id"] == event["store_id"]
            assert timedelta(0) <= _when(record) - start <= timedelta(minutes=20)


def test_classification_mix(dataset) -> None:
    mix = Counter(event["classification"] for event in dataset.events)
    total = len(dataset.events)
    for name, share in (
        ("stockout", 0.5),
        ("not_carried", 0.25),
        ("substituted", 0.15),
        ("unknown", 0.10),
    ):
        assert mix[name] / total == pytest.approx(share, abs=0.05)


def test_stockout_skus_exist_with_matching_attributes(dataset) -> None:
    catalog = {row["sku"]: row for row in dataset.catalog}
    for event in dataset.events:
        if event["classification"] not in {"stockout", "substituted"}:
            continue
        item = catalog[event["sku"]]
        assert (item["category"], item["size"], item["color"], item["pattern"]) == (
            event["category"],
            event["size"],
            event["shade"],
            event["pattern"],
        )
        assert SHADES[item["color"]] == event["color_family"]


def test_not_carried_events_match_no_catalog_sku(dataset) -> None:
    for event in dataset.events:
        if event["classification"] != "not_carried":
            continue
        assert event["sku"] == ""
        assert event["color_family"] or event["pattern"] or event["size"]
        matching = [
            row
            for row in dataset.catalog
            if row["category"] == event["category"]
            and (not event["color_family"] or SHADES[row["color"]] == event["color_family"])
            and (not event["pattern"] or row["pattern"] == event["pattern"])
            and (not event["size"] or row["size"] == event["size"])
        ]
        assert matching == [], event


def test_unknown_events_have_one_note_and_no_attributes(dataset, traces_by_event) -> None:
    for event in dataset.events:
        if event["classification"] == "unknown":
            assert [t["source"] for t in traces_by_event[event["event_id"]]] == ["frontline_notes"]
            assert not (event["category"] or event["sku"] or event["size"])


def test_substituted_events_have_a_lost_sale_with_the_substitute(
    dataset, records, traces_by_event
) -> None:
    for event in dataset.events:
        if event["classification"] != "substituted":
            continue
        sales = [
            records[t["record_id"]][1]
            for t in traces_by_event[event["event_id"]]
            if t["source"] == "lost_sales"
        ]
        assert len(sales) == 1
        assert sales[0]["substitute_sku"] == event["substitute_sku"] != event["sku"]
        assert sales[0]["sku"] == event["sku"]


def test_demand_traces_carry_the_event_sku_and_reason(dataset, records, traces_by_event) -> None:
    for event in dataset.events:
        for trace in traces_by_event[event["event_id"]]:
            record = records[trace["record_id"]][1]
            if trace["source"] == "oos_lookups":
                assert (record["sku"], record["result"]) == (event["sku"], "out_of_stock")
            elif trace["source"] == "lost_sales":
                assert record["sku"] == event["sku"]
                if event["classification"] == "not_carried":
                    assert record["reason_code"] == "not_carried" and record["description"]
                else:
                    assert record["reason_code"] in {
                        "out_of_stock",
                        "size_unavailable",
                        "color_unavailable",
                    }


def test_lost_revenue(dataset, records, traces_by_event) -> None:
    catalog = {row["sku"]: row for row in dataset.catalog}
    for event in dataset.events:
        sales = [
            records[t["record_id"]][1]
            for t in traces_by_event[event["event_id"]]
            if t["source"] == "lost_sales"
        ]
        units = int(sales[0]["quantity"]) if sales else 1
        assert int(event["lost_units"]) == units
        if sales and sales[0]["unit_price"]:
            price = sales[0]["unit_price"]
        elif event["sku"]:
            price = catalog[event["sku"]]["list_price"]
        else:
            price = ""
        assert event["unit_price_eur"] == price
        if price:
            bought = (
                catalog[event["substitute_sku"]]["list_price"] if event["substitute_sku"] else 0
            )
            net = max(Decimal(price) - Decimal(bought), Decimal(0))
            assert Decimal(event["lost_revenue_eur"]) == units * net
        else:
            assert event["lost_revenue_eur"] == ""
        traced = traces_by_event[event["event_id"]]
        priced = any(
            t["source"] == "oos_lookups"
            or (t["source"] == "lost_sales" and (sales[0]["sku"] or sales[0]["unit_price"]))
            or (t["source"] == "frontline_notes" and records[t["record_id"]][1].get("sku"))
            for t in traced
        )
        assert event["priced"] == ("true" if priced else "false")


def test_customers_are_on_the_event_notes(dataset, records, traces_by_event) -> None:
    with_customer = [event for event in dataset.events if event["customer_ref"]]
    assert 0.25 <= len(with_customer) / len(dataset.events) <= 0.45
    consent = [event["customer_consent"] == "true" for event in with_customer]
    assert 0.6 <= sum(consent) / len(consent) <= 0.8
    refs = Counter(event["customer_ref"] for event in with_customer)
    assert max(refs.values()) > 1, "some customers should come back"
    for event in with_customer:
        notes = [
            records[t["record_id"]][1]
            for t in traces_by_event[event["event_id"]]
            if t["source"] == "frontline_notes"
        ]
        assert notes[0]["customer_ref"] == event["customer_ref"]
        assert notes[0]["customer_consent"] == (event["customer_consent"] == "true")


def _compatible(a: str, b: str) -> bool:
    return not a or not b or a == b


def test_same_item_events_are_an_hour_apart(dataset) -> None:
    by_store_category = defaultdict(list)
    for event in dataset.events:
        if event["category"]:
            by_store_category[(event["store_id"], event["category"])].append(event)
    for events in by_store_category.values():
        events.sort(key=lambda e: e["occurred_at"])
        for index, first in enumerate(events):
            start = datetime.fromisoformat(first["occurred_at"])
            for second in events[index + 1 :]:
                gap = datetime.fromisoformat(second["occurred_at"]) - start
                if gap >= timedelta(minutes=60):
                    break
                assert not (
                    _compatible(first["color_family"], second["color_family"])
                    and _compatible(first["size"], second["size"])
                ), (first, second)


def test_events_file_order_is_by_id(dataset) -> None:
    ids = [event["event_id"] for event in dataset.events]
    assert ids == sorted(ids)


def test_withdrawals_are_valid_records_of_consenting_customers(dataset) -> None:
    from schemas.raw import ConsentWithdrawal

    assert dataset.summary.withdrawals == len(dataset.withdrawals) > 0
    consenting = {n["customer_ref"] for n in dataset.notes if n["customer_consent"]}
    for row in dataset.withdrawals:
        ConsentWithdrawal.model_validate(row)  # the input format, offset included
        assert row["customer_ref"] in consenting
    assert len({row["customer_ref"] for row in dataset.withdrawals}) == len(dataset.withdrawals)


def test_withdrawn_notes_are_the_consenting_notes_up_to_their_customers_withdrawal(dataset):
    """The truth, computed again from the input files: the latest statement wins."""
    withdrawn = {
        row["customer_ref"]: (row["withdrawal_id"], datetime.fromisoformat(row["withdrawn_at"]))
        for row in dataset.withdrawals
    }
    expected, after = [], 0
    for note in dataset.notes:
        found = withdrawn.get(note["customer_ref"]) if note["customer_consent"] else None
        if found is None:
            continue
        if datetime.fromisoformat(note["captured_at"]) <= found[1]:
            expected.append((note["note_id"], note["customer_ref"], found[0]))
        else:
            after += 1  # consent given again after the withdrawal
    listed = [
        (r["note_id"], r["customer_ref"], r["withdrawal_id"]) for r in dataset.withdrawn_notes
    ]
    assert sorted(listed) == sorted(expected)
    assert {ref for _, ref, _ in listed} == set(withdrawn)  # each covers its first note
    assert after > 0, "the sample should show a consent given again after a withdrawal"
