-- Per store: rpt_not_carried (not-carried events with a known category by the exact combination
-- asked for) at each store, ranked by what the store page shows: events, then lost revenue, then
-- estimated revenue (never added together).
with events as (
    select * from demand_events where classification = 'not_carried' and category is not null
),

combos as (
    select
        iso_week,
        store_id,
        category,
        coalesce(color, '-') as color,
        coalesce(pattern, '-') as pattern,
        coalesce(size, '-') as size,
        count(*) as events,
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
            partition by iso_week, store_id
            order by events desc, lost_revenue_eur desc, estimated_revenue_eur desc, category, color,
                pattern, size
        ) as rank
    from combos
)

select * from final order by iso_week, store_id, rank
