"""Follow-ups for a CRM: consenting customers whose unmet demand a new catalog's new skus can serve.

A customer is listed only if their event passed `rpt_consenting_demand` (customer_ref set AND a
linked frontline note by that customer with customer_consent = true), and only for demand asked in
the window (the last `weeks` ISO weeks up to the newest published demand). A customer who withdrew
their consent (consent_withdrawals/) after a note has no customer_ref on it in the published run
(the ingest withholds it), so that note's demand lists nobody.

Only skus *new* in the catalog count: skus the previous catalog did not list (by default the
catalog of the published run), so feeding the same catalog again gives no follow-ups. A new sku
matches an event when it is the sku asked for (a sku back in the catalog) and has the color family,
pattern and size the customer named (a note that scanned a navy coat and says "in black" did not
ask for that sku: matching.attributes_meet, as the classification), or when it meets the
event's category and every attribute the customer named, by the rule the classification uses
(pipelines/demand/matching.py): a category or one a generic category covers (a hoodie for a
"top"; nothing for `other`), the color family, the pattern, and a size that meets the size (a
waist-only "32" and a waist x leg "32x30" meet each other); attributes they did not name match
anything. The SQL joins on tables of the meeting (asked, offered) pairs computed from that rule.

One row per customer and demanded item (category, color, pattern, size): asking three times gives
one row, with the store and date of the latest ask. The matching skus are grouped by style and the
best MAX_STYLES styles are listed (with at most MAX_SKUS skus each), ranked: the very sku asked
for first, then styles in the shade asked for, then styles with more matching skus, then by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from pipelines.demand.matching import category_pairs, size_pairs
from pipelines.reports.tables import Table

#: Styles listed per follow-up, and skus listed per style (the counts give the totals).
MAX_STYLES = 5
MAX_SKUS = 10
DEFAULT_WEEKS = 4

_STYLE_COLUMNS = ",\n".join(
    f"        max(style) filter (where style_rank = {k}) as style_{k},\n"
    f"        max(skus) filter (where style_rank = {k}) as skus_{k}"
    for k in range(1, MAX_STYLES + 1)
)

#: The consenting demand in the window, and one row per customer and demanded item. An item
#: belongs to the store of its latest ask, so the lists of the stores add up to the chain's.
ITEMS_SQL = """
with demand as (
    select c.*, e.event_date, e.shade
    from rpt_consenting_demand as c
    inner join demand_events as e using (event_id)
    where c.category is not null
        and e.event_date between $first_day and $last_day
),

items as (
    select
        customer_ref,
        category,
        color,
        pattern,
        size,
        arg_max(store_id, first_demanded_at) as store_id,
        arg_max(classification, first_demanded_at) as classification,
        arg_max(event_id, first_demanded_at) as last_event_id,
        list_sort(list(distinct sku) filter (where sku is not null)) as skus,
        list_sort(list(distinct shade) filter (where shade is not null)) as shades,
        -- items alike in everything matching looks at share a key: matching is done per key
        dense_rank() over (
            order by category, color, pattern, size, skus, shades
        ) as key_no,
        min(event_date) as first_asked_on,
        max(event_date) as last_asked_on,
        count(*) as times_asked
    from demand
    group by customer_ref, category, color, pattern, size
    having $store_id::varchar is null or arg_max(store_id, first_demanded_at) = $store_id::varchar
)
"""

#: Matching is done once per key (items alike in category, color, pattern, size, skus and shades
#: asked get the same styles), so its cost follows the catalog's variety, not the number of
#: customers, and the skus of a style are listed only for each key's best styles. Measured on
#: 100k consenting asks x 10k new skus: 76 s and 4.2 GB matching per event with one ordered sku
#: list over every match; 5-7 s and 0.6 GB per key.
FOLLOWUPS_SQL = (
    ITEMS_SQL
    + f"""
,

keys as (
    select
        key_no,
        any_value(category) as category,
        any_value(color) as color,
        any_value(pattern) as pattern,
        any_value(size) as size,
        any_value(skus) as skus,
        any_value(shades) as shades
    from items
    group by key_no
),

new_skus as (
    select n.*
    from new_catalog as n
    anti join previous_catalog as p using (sku)
),

attribute_matches as (
    select i.key_no, n.sku
    from keys as i
    inner join category_matches as c on c.asked = i.category
    inner join new_skus as n
        on n.category = c.offered
        and (i.color is null or n.color_family = i.color)
        and (i.pattern is null or n.pattern = i.pattern)
    left join size_matches as z on z.asked = i.size and z.offered = n.size
    where i.size is null or z.asked is not null
),

sku_matches as (
    -- the sku asked for, back in the catalog, if it has what the customer named (a note that
    -- scanned a navy coat and says "in black" did not ask for that sku: demand_events says so)
    select i.key_no, n.sku
    from (select key_no, color, pattern, size, unnest(skus) as sku from keys) as i
    inner join new_skus as n using (sku)
    left join size_matches as z on z.asked = i.size and z.offered = n.size
    where (i.color is null or n.color_family = i.color)
        and (i.pattern is null or n.pattern = i.pattern)
        and (i.size is null or z.asked is not null)
),

matches as (
    select
        m.key_no,
        n.style,
        m.sku,
        bool_or(m.by_sku) as by_sku,
        bool_or(not m.by_sku) as by_attributes,
        coalesce(list_contains(any_value(i.shades), any_value(n.shade)), false) as same_shade
    from (
        select key_no, sku, true as by_sku from sku_matches
        union all
        select key_no, sku, false as by_sku from attribute_matches
    ) as m
    inner join keys as i using (key_no)
    inner join new_skus as n using (sku)
    group by m.key_no, n.style, m.sku
),

styles as (
    select
        key_no,
        style,
        bool_or(by_sku) as by_sku,
        bool_or(by_attributes) as by_attributes,
        bool_or(same_shade) as same_shade,
        count(*) as n_skus
    from matches
    group by key_no, style
),

ranked as (
    select
        *,
        row_number() over (
            partition by key_no order by by_sku desc, same_shade desc, n_skus desc, style
        ) as style_rank
    from styles
),

best as (
    select
        r.key_no,
        r.style_rank,
        r.style,
        array_to_string(
            list(m.sku order by m.by_sku desc, m.same_shade desc, m.sku)[1:{MAX_SKUS}], ';'
        ) as skus
    from ranked as r
    inner join matches as m using (key_no, style)
    where r.style_rank <= {MAX_STYLES}
    group by r.key_no, r.style_rank, r.style
),

totals as (
    select
        key_no,
        bool_or(by_sku) as by_sku,
        bool_or(by_attributes) as by_attributes,
        count(*) as styles_matched,
        sum(n_skus) as skus_matched
    from styles
    group by key_no
),

picked as (
    select
        key_no,
{_STYLE_COLUMNS}
    from best
    group by key_no
),

final as (
    select
        i.customer_ref,
        i.store_id,
        st.name as store_name,
        i.category,
        i.color,
        i.pattern,
        i.size,
        array_to_string(list_sort(i.skus), ';') as asked_skus,
        i.classification,
        i.first_asked_on,
        i.last_asked_on,
        i.times_asked,
        i.last_event_id,
        concat_ws(
            '; ',
            case when t.by_sku then 'same sku' end,
            case when t.by_attributes then concat_ws(
                ', ',
                'category',
                case when i.color is not null then 'color' end,
                case when i.pattern is not null then 'pattern' end,
                case when i.size is not null then 'size' end
            ) end
        ) as matched_on,
        t.styles_matched,
        t.skus_matched,
        p.* exclude (key_no)
    from items as i
    inner join totals as t using (key_no)
    inner join picked as p using (key_no)
    left join stg_stores as st on st.store_id = i.store_id
)

select * from final
order by customer_ref, category, color nulls first, pattern nulls first, size nulls first
"""
)


@dataclass(frozen=True)
class Followups:
    """The follow-ups and what they were drawn from (for the messages of the command)."""

    table: Table
    first_day: date | None  # the window of demand dates (None: no demand was published)
    last_day: date | None
    new_skus: int  # skus of the new catalog the previous one did not list
    demanded_items: int  # consenting customers' demanded items in the window


def window(con: duckdb.DuckDBPyConnection, weeks: int) -> tuple[date, date] | None:
    """The `weeks` ISO weeks (Monday..Sunday) that end with the newest published demand."""
    newest = con.execute("select max(event_date) from demand_events").fetchall()[0][0]
    if newest is None:
        return None
    last: date = newest
    sunday = last + timedelta(days=7 - last.isoweekday())
    return sunday - timedelta(days=7 * weeks - 1), sunday


def find_followups(
    con: duckdb.DuckDBPyConnection,
    catalog: pa.Table,
    previous_skus: list[str] | None = None,
    weeks: int = DEFAULT_WEEKS,
    store_id: str | None = None,
) -> Followups:
    """One row per consenting customer and demanded item that the catalog's new skus can serve.

    `previous_skus`: the skus of the previous catalog; None means the published run's catalog.
    """
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1 (got {weeks})")
    previous = (
        con.sql("select sku from stg_catalog").to_arrow_table()
        if previous_skus is None
        else pa.table({"sku": pa.array(previous_skus, pa.string())})
    )
    bounds = window(con, weeks)
    first_day, last_day = bounds if bounds else (None, None)
    con.register("new_catalog", catalog)
    con.register("previous_catalog", previous)
    # the (asked, offered) pairs that meet, by matching.py's rule, for the values at hand
    asked = con.execute(
        "select list(distinct category), list(distinct size) from rpt_consenting_demand"
    ).fetchall()[0]
    offered = (catalog.column("category").to_pylist(), catalog.column("size").to_pylist())
    con.register("category_matches", category_pairs(_values(asked[0]), _values(offered[0])))
    con.register("size_matches", size_pairs(_values(asked[1]), _values(offered[1])))
    try:
        params = {"first_day": first_day, "last_day": last_day, "store_id": store_id}
        cur = con.execute(FOLLOWUPS_SQL, params)
        table = Table([d[0] for d in cur.description], cur.fetchall())
        new = con.execute(
            "select count(*) from new_catalog anti join previous_catalog using (sku)"
        ).fetchall()[0][0]
        items = con.execute(ITEMS_SQL + "select count(*) from items", params).fetchall()[0][0]
    finally:
        for name in ("new_catalog", "previous_catalog", "category_matches", "size_matches"):
            con.unregister(name)
    return Followups(table, first_day, last_day, new, items)


def _values(found: list[str | None] | None) -> list[str]:
    return [v for v in found or () if v is not None]
