"""The baseline `make bench` compares against: the same job in plain DuckDB SQL, tuned.

Reads the three sources and the catalog, validates (ids present, enums, timestamps with zone that
round-trip, quantity ranges, known store and sku), splits accepted from rejected rows, extracts
colors and sizes from note text by keyword (the extractor's own lexicon, as a table), joins the
catalog, aggregates unmet demand by week x store x category x attribute, and writes Parquet: three
staging tables, rejects and the mart. Run: python -m tools.bench.baseline INPUTS OUT
"""

from __future__ import annotations

import sys
import time
from importlib import resources
from pathlib import Path

import duckdb

SQL = r"""
create or replace temp table stores as
  select * from read_csv('{inputs}/stores/*.csv', header = true, all_varchar = true);
create or replace temp table catalog as
  select sku, category, color, pattern, size, try_cast(list_price as double) as list_price
  from read_csv('{inputs}/catalog/*.csv', header = true, all_varchar = true);
create or replace temp table color_words as
  select lower(term) as term, family from read_csv('{lexicon}', header = true, all_varchar = true);

-- notes -----------------------------------------------------------------------------------------
create or replace temp table raw_notes as
  select *, filename as source_file
  from read_json('{inputs}/frontline_notes/*.jsonl', format = 'newline_delimited',
                 filename = true, ignore_errors = true,
                 columns = {{note_id: 'varchar', store_id: 'varchar', channel: 'varchar',
                            associate_id: 'varchar', captured_at: 'varchar', text: 'varchar',
                            sku: 'varchar', customer_ref: 'varchar', customer_consent: 'boolean'}});
create or replace temp table notes_checked as
  select n.*,
         try_strptime(captured_at, '%Y-%m-%dT%H:%M:%S%z') as ts,
         case
           when note_id is null then 'note_id missing'
           when channel not in ('store', 'call_center', 'chat', 'app', 'web') then 'bad channel'
           when try_strptime(captured_at, '%Y-%m-%dT%H:%M:%S%z') is null then 'bad captured_at'
           when s.store_id is null then 'unknown store'
           when length(text) > 10000 then 'text too long'
         end as reason
  from raw_notes n left join stores s using (store_id);
copy (select * exclude (reason) from notes_checked where reason is null order by note_id)
  to '{out}/stg_frontline_notes.parquet' (format parquet, compression zstd);

-- lookups ---------------------------------------------------------------------------------------
create or replace temp table lookups_checked as
  select l.*,
         try_strptime(looked_up_at, '%Y-%m-%dT%H:%M:%S%z') as ts,
         case
           when lookup_id is null then 'lookup_id missing'
           when result not in ('in_stock', 'out_of_stock', 'not_carried') then 'bad result'
           when try_cast(on_hand_qty as integer) is null or try_cast(on_hand_qty as integer) < 0
             then 'bad on_hand_qty'
           when try_strptime(looked_up_at, '%Y-%m-%dT%H:%M:%S%z') is null then 'bad looked_up_at'
           when s.store_id is null then 'unknown store'
           when c.sku is null then 'unknown sku'
         end as reason
  from read_csv('{inputs}/oos_lookups/*.csv', header = true, all_varchar = true, filename = true) l
  left join stores s using (store_id) left join catalog c using (sku);
copy (select * exclude (reason) from lookups_checked where reason is null order by lookup_id)
  to '{out}/stg_oos_lookups.parquet' (format parquet, compression zstd);

-- lost sales ------------------------------------------------------------------------------------
create or replace temp table sales_checked as
  select l.*,
         try_strptime(occurred_at, '%Y-%m-%dT%H:%M:%S%z') as ts,
         case
           when sale_id is null then 'sale_id missing'
           when reason_code not in ('out_of_stock', 'size_unavailable', 'color_unavailable',
                                    'not_carried', 'price', 'other') then 'bad reason_code'
           when try_cast(quantity as integer) is null or try_cast(quantity as integer) < 1
             then 'bad quantity'
           when try_strptime(occurred_at, '%Y-%m-%dT%H:%M:%S%z') is null then 'bad occurred_at'
           when s.store_id is null then 'unknown store'
           when l.sku is not null and c.sku is null then 'unknown sku'
         end as reason
  from read_csv('{inputs}/lost_sales/*.csv', header = true, all_varchar = true, filename = true) l
  left join stores s using (store_id) left join catalog c on c.sku = l.sku;
copy (select * exclude (reason) from sales_checked where reason is null order by sale_id)
  to '{out}/stg_lost_sales.parquet' (format parquet, compression zstd);

copy (
  select 'frontline_notes' as source, note_id as record_id, reason from notes_checked where reason is not null
  union all select 'oos_lookups', lookup_id, reason from lookups_checked where reason is not null
  union all select 'lost_sales', sale_id, reason from sales_checked where reason is not null
) to '{out}/rejects.parquet' (format parquet, compression zstd);

-- signals: keyword extraction for notes, catalog join for lookups and sales ----------------------
create or replace temp table signals as
  with note_words as (
    select note_id, store_id, ts, unnest(regexp_split_to_array(lower(text), '[^a-z0-9]+')) as word
    from notes_checked where reason is null
  ),
  note_attrs as (
    select note_id, any_value(store_id) as store_id, any_value(ts) as ts,
           min(cw.family) as color,
           min(case when word in ('xxs','xs','s','m','l','xl','xxl','xxxl') then upper(word)
                    when word = 'small' then 'S' when word = 'medium' then 'M'
                    when word = 'large' then 'L' end) as size,
           min(case when word in ('coat','jacket','blazer','dress','skirt','jeans','trousers',
                                  'shorts','shirt','blouse','sweater','cardigan','hoodie','suit',
                                  'shoes','boots','sneakers','sandals','scarf','hat','bag')
                    then word end) as category
    from note_words left join color_words cw on cw.term = note_words.word
    group by note_id
  )
  select store_id, ts, category, color, null as pattern, size, 1 as quantity, null::double as price
  from note_attrs where color is not null or size is not null or category is not null
  union all
  select l.store_id, l.ts, c.category, c.color, c.pattern, c.size, 1, c.list_price
  from lookups_checked l join catalog c using (sku)
  where l.reason is null and l.result in ('out_of_stock', 'not_carried')
  union all
  select l.store_id, l.ts, c.category, c.color, c.pattern, c.size, try_cast(quantity as integer),
         coalesce(try_cast(unit_price as double), c.list_price)
  from sales_checked l left join catalog c on c.sku = l.sku
  where l.reason is null
    and l.reason_code in ('out_of_stock', 'size_unavailable', 'color_unavailable', 'not_carried');

copy (
  with long as (
    select strftime(ts, '%G-W%V') as iso_week, store_id, coalesce(category, '(unknown)') as category,
           quantity, coalesce(price, 0) * quantity as revenue,
           unnest([{{'attribute': 'color', 'value': color}}, {{'attribute': 'pattern', 'value': pattern}},
                   {{'attribute': 'size', 'value': size}},
                   {{'attribute': 'color+size', 'value': color || '|' || size}}]) as av
    from signals
  )
  select iso_week, store_id, category, av.attribute, av.value, count(*) as events,
         sum(quantity) as lost_units, round(sum(revenue), 2) as lost_revenue_eur
  from long where av.value is not null
  group by all order by all
) to '{out}/mart_unmet_demand.parquet' (format parquet, compression zstd);
"""


def run(inputs: Path, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    lexicon = resources.files("pipelines.extract") / "lexicons" / "colors.csv"
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(SQL.format(inputs=inputs.resolve(), out=out.resolve(), lexicon=lexicon))
    con.close()
    return time.perf_counter() - started


if __name__ == "__main__":
    seconds = run(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"baseline done in {seconds:.2f}s")
