-- Per store: the skus its customers found out of stock, with their style, to re-order or transfer
-- (stores_in_stock: other stores whose stock lookups found the sku in stock that week).
with events as (
    select * from demand_events where classification = 'stockout' and sku is not null
),

catalog as (
    select sku, style, category, color, pattern, size from stg_catalog
),

in_stock as (
    select iso_week, sku, store_id from stg_oos_lookups where result = 'in_stock' and on_hand_qty > 0
),

by_sku as (
    select
        e.iso_week,
        e.store_id,
        e.sku,
        coalesce(c.style, '(not in catalog)') as style,
        coalesce(c.category, e.category, '(unknown)') as category,
        c.color as sku_color,
        c.size as sku_size,
        count(*) as events,
        sum(e.lost_units)::bigint as lost_units,
        round(sum(e.lost_revenue_eur), 2) as lost_revenue_eur
    from events as e
    left join catalog as c using (sku)
    group by all
),

elsewhere as (
    select b.iso_week, b.store_id, b.sku, count(distinct i.store_id) as stores_in_stock
    from by_sku as b
    inner join in_stock as i
        on i.iso_week = b.iso_week and i.sku = b.sku and i.store_id <> b.store_id
    group by all
),

final as (
    select
        b.*,
        coalesce(x.stores_in_stock, 0) as stores_in_stock,
        row_number() over (
            partition by b.iso_week, b.store_id order by b.events desc, b.lost_revenue_eur desc, b.sku
        ) as rank
    from by_sku as b
    left join elsewhere as x using (iso_week, store_id, sku)
)

select * from final order by iso_week, store_id, rank
