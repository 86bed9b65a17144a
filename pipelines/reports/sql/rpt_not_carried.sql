-- The long tail's drill-down: not-carried events with a known category by the exact combination
-- asked for, ranked per week by what the report shows: events, then lost revenue, then estimated
-- revenue (the two are never added). Mostly combinations no sku of the category has; it also
-- holds items a lookup, lost sale or note said are not carried even where the catalog has such a
-- sku (docs/metrics.md, classification row 2). Not-carried events without a category are not in
-- it (the report says how many).
with events as (
    select * from demand_events where classification = 'not_carried' and category is not null
),

combos as (
    select
        iso_week,
        category,
        coalesce(color, '-') as color,
        coalesce(pattern, '-') as pattern,
        coalesce(size, '-') as size,
        count(*) as events,
        count(distinct store_id) as stores,
        count(distinct customer_ref) as customers,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur,
        round(sum(estimated_revenue_eur), 2) as estimated_revenue_eur
    from events
    group by all
),

final as (
    select
        *,
        row_number() over (
            partition by iso_week order by events desc, lost_revenue_eur desc, estimated_revenue_eur desc, category, color, pattern, size
        ) as rank
    from combos
)

select * from final order by iso_week, rank
