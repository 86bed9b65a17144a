-- What to re-order: out-of-stock demand per week and catalog style (all its skus together), ranked.
-- Only stockout events that name a sku; the style and its name come from the catalog.
with events as (
    select * from demand_events where classification = 'stockout' and sku is not null
),

catalog as (
    select sku, style, category from stg_catalog
),

final_rows as (
    select
        e.iso_week,
        coalesce(c.category, e.category, '(unknown)') as category,
        coalesce(c.style, '(not in catalog)') as style,
        count(distinct e.sku) as skus,
        count(*) as events,
        count(distinct e.store_id) as stores,
        sum(e.lost_units)::bigint as lost_units,
        round(sum(e.lost_revenue_eur), 2) as lost_revenue_eur,
        string_agg(distinct e.sku, ', ' order by e.sku) as sku_list
    from events as e
    left join catalog as c using (sku)
    group by all
),

final as (
    select
        *,
        row_number() over (
            partition by iso_week order by events desc, lost_revenue_eur desc, category, style
        ) as rank
    from final_rows
)

select * from final order by iso_week, rank
