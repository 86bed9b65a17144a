"""What every number in the reports means: a short label and a one-sentence definition per column.

The HTML reports show the label, put the definition in a `title` tooltip, and list every definition
used on the page in a glossary section. The definitions are short forms of docs/metrics.md (the
reference; keep the two in step) so that the reports need no file outside the package.
"""

from __future__ import annotations

#: column -> (label, definition). Keep definitions to one plain sentence a merchandiser can forward.
GLOSSARY: dict[str, tuple[str, str]] = {
    "iso_week": ("Week", "ISO week of the store's local date, e.g. 2026-W47 (Monday to Sunday)."),
    "week_start_date": ("Week starts", "The Monday the ISO week starts on."),
    "events": (
        "Unmet events",
        "Customer moments of unmet demand: the notes, out-of-stock lookups and lost sales of one "
        "customer at one store about the same item within the linking window (default 30 "
        "minutes), counted once.",
    ),
    "customers": (
        "Customers",
        "Distinct customers behind the events who consented to be contacted (others stay "
        "anonymous).",
    ),
    "stores": ("Stores", "Stores with at least one unmet event."),
    "lost_units": (
        "Lost units",
        "Units not sold: the lost-sale quantity where one was logged, else 1 per event.",
    ),
    "lost_revenue_eur": (
        "Lost revenue (EUR)",
        "Lost units x unit price, for events priced by their own evidence: the lost sale's "
        "price, else the sku's list price; less the substitute's price when the customer took "
        "one. Events without such a price count in estimated revenue instead.",
    ),
    "stockout_events": (
        "Stockouts",
        "Events where the catalog carries the item but the store had none to sell.",
    ),
    "not_carried_events": (
        "Not carried",
        "Events where no sku of the category has what the customer asked for (or a source said "
        "it is not carried).",
    ),
    "substituted_events": (
        "Substituted",
        "Events where the customer bought something else instead (a lost sale names a substitute).",
    ),
    "unknown_events": (
        "Unclassified",
        "Events the data cannot classify: the item is unknown (neither a sku nor a category), "
        "or the catalog carries it but nothing said it was unavailable (no out-of-stock lookup, "
        "lost sale or note saying so).",
    ),
    "signals": ("Signals", "Notes, lookups and lost-sale lines linked into the events."),
    "prev_events": (
        "Previous week events",
        "Unmet events in the calendar week before (0 if none).",
    ),
    "prev_lost_revenue_eur": (
        "Previous week lost revenue (EUR)",
        "Lost revenue in the calendar week before (0 if none).",
    ),
    "events_change": (
        "Change in events",
        "Unmet events minus those of the previous calendar week (0 if it had none).",
    ),
    "events_change_pct": (
        "Change in events (%)",
        "Change in unmet events vs the previous week, in percent (empty if that week had none).",
    ),
    "lost_revenue_change_eur": (
        "Change in lost revenue (EUR)",
        "Lost revenue minus that of the previous calendar week, EUR.",
    ),
    "lost_revenue_change_pct": (
        "Change in lost revenue (%)",
        "Change in lost revenue vs the previous week, in percent (empty if that week had none).",
    ),
    "category": ("Category", "Catalog category the customer asked about, e.g. coat."),
    "attribute": (
        "Attribute",
        "What the demand is counted by: color (family), pattern, size, or a combination "
        "(color+size, color+pattern).",
    ),
    "value": (
        "Asked for",
        "The attribute value asked for; a combination names both, e.g. 'grey, solid' (the "
        "mart_unmet_demand dataset joins them with '|').",
    ),
    "rank_in_category": ("Rank", "Rank within the category and attribute, by events."),
    "color": ("Color", "Color family asked for ('-' when the customer did not say)."),
    "pattern": ("Pattern", "Pattern asked for ('-' when the customer did not say)."),
    "size": ("Size", "Normalised size asked for ('-' when the customer did not say)."),
    "rank": (
        "Rank",
        "Rank by events, then lost revenue (the not-carried tables: then estimated revenue).",
    ),
    "wanted_color": ("Wanted color", "Color family the customer asked for."),
    "took_color": ("Took color", "Color family of the substitute they bought."),
    "wanted_size": ("Wanted size", "Size the customer asked for."),
    "took_size": ("Took size", "Size of the substitute they bought."),
    "demanded_revenue_eur": (
        "Demanded revenue (EUR)",
        "Value of what was asked for at its priced unit price (units x price; not net of the "
        "substitute, as lost revenue is), EUR.",
    ),
    "store_id": ("Store", "Store id."),
    "store_name": ("Store name", "Store name from the store list."),
    "region": ("Region", "Region of the store."),
    "lost_revenue_share_pct": (
        "Share of lost revenue (%)",
        "The store's share of the chain's lost revenue that week, in percent.",
    ),
    "notes": ("Notes written", "Every frontline note written at the store that week."),
    "noted_events": (
        "Events with a note",
        "Unmet events that at least one associate's note is part of.",
    ),
    "system_signals": (
        "System signals",
        "Out-of-stock lookups and lost-sale lines recorded by the store's systems.",
    ),
    "capture_rate": (
        "Capture rate",
        "Share of the store's unmet events that an associate wrote down (events with a note "
        "by an associate / events; notes customers wrote themselves in the app, on the web or "
        "in a chat do not count), from 0 to 1.",
    ),
    "chain_median_capture_rate": (
        "Chain median",
        "The median capture rate of all stores that week, for comparison.",
    ),
    "notes_per_system_signal": (
        "Notes per system signal",
        "Notes written / out-of-stock lookups and lost sales recorded; a ratio, not a share "
        "(empty when the systems recorded nothing).",
    ),
    "estimated_revenue_eur": (
        "Estimated revenue (EUR)",
        "Value of the events no sku or sale prices: units x the median list price of similar "
        "catalog skus. Reported beside lost revenue, never added into it.",
    ),
    "rank_by_lost_revenue": ("Rank (lost revenue)", "Rank among stores by lost revenue."),
    "rank_by_capture_rate": ("Rank (capture rate)", "Rank among stores by capture rate."),
    "trend": (
        "Trend",
        "A straight line through the events of the last 6 weeks (the report week included): "
        "rising or falling when its slope is at least twice its standard error (about 95% "
        "confidence), steady otherwise; new with fewer than 4 weeks to judge, except a value "
        "at 0 after events the week before, which is falling.",
    ),
    "trend_weeks": ("Weeks judged", "How many weeks the trend line is fitted on (at most 6)."),
    "slope_events_per_week": (
        "Slope (events/week)",
        "How many events a week the trend line adds (negative: loses).",
    ),
    "trend_change_pct": (
        "Change over the trend (%)",
        "The trend line's change from its first to its last week, in percent.",
    ),
    "event_id": ("Event", "Id of the demand event in demand_events."),
    "customer_ref": (
        "Customer",
        "Customer reference, present only where the customer consented and has not withdrawn "
        "that consent since (consent_withdrawals/).",
    ),
    "classification": ("Outcome", "stockout, not_carried, substituted or unknown."),
    "sku": (
        "Sku",
        "The sku the record names (looked up, sold, or scanned with a note), when known; a note "
        "may ask for it in another color, pattern or size, and then the color, pattern and size "
        "columns say what was asked.",
    ),
    "first_demanded_at": ("First asked (UTC)", "When the customer first asked, UTC."),
    "note_id": ("Note", "Frontline note id."),
    "captured_at": ("Written (UTC)", "When the note was written, UTC."),
    "channel": ("Channel", "store, call_center, chat, app or web."),
    "items": ("Items", "Items the note asked for, as extracted from its text."),
    "classifications": ("Outcome", "Outcomes of the events the note was linked into."),
    "redacted_text": (
        "Note (redacted)",
        "The note's text with phone numbers, e-mails and card numbers removed.",
    ),
    "style": ("Style", "Style (product name) in the catalog; its skus are its colors and sizes."),
    "sku_color": ("Sku color", "The sku's color as the catalog writes it."),
    "sku_size": ("Sku size", "The sku's size as the catalog writes it."),
    "skus": ("Skus", "Distinct skus of the style that customers found out of stock."),
    "sku_list": ("Which skus", "The skus of the style found out of stock, comma-separated."),
    "stores_in_stock": (
        "In stock elsewhere",
        "Other stores whose stock lookups found the sku in stock that week: candidates for a "
        "transfer.",
    ),
    "first_asked_local": (
        "First asked (local)",
        "When the customer first asked, in the store's time zone.",
    ),
    "asked_for": (
        "What they asked for",
        "The customer's own words: the redacted text of their note.",
    ),
    "matching_skus": ("Matching skus", "Skus of the new catalog that have what was asked for."),
    "demanded": ("Item", "Category and the attributes the customer named."),
}


def label(column: str) -> str:
    return GLOSSARY.get(column, (column.replace("_", " ").capitalize(), ""))[0]


def definition(column: str) -> str:
    return GLOSSARY.get(column, ("", ""))[1]
