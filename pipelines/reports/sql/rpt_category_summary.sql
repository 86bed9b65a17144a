-- Unmet demand per week and category, with the change vs the previous calendar week.
with events as (
    select * from demand_events
),

weekly as (
    select
        iso_week,
        min(date_trunc('week', event_date))::date as week_start_date,
        coalesce(category, '(unknown)') as category,
        count(*) as events,
        count(distinct customer_ref) as customers,
        sum(lost_units)::bigint as lost_units,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur,
        count(*) filter (where classification = 'stockout') as stockout_events,
        count(*) filter (where classification = 'not_carried') as not_carried_events,
        count(*) filter (where classification = 'substituted') as substituted_events
    from events
    group by iso_week, coalesce(category, '(unknown)')
),

final as (
    select
        cur.iso_week,
        cur.category,
        cur.events,
        cur.customers,
        cur.lost_units,
        cur.lost_revenue_eur,
        cur.stockout_events,
        cur.not_carried_events,
        cur.substituted_events,
        cur.events - coalesce(prev.events, 0) as events_change,
        round(cur.lost_revenue_eur - coalesce(prev.lost_revenue_eur, 0), 2) as lost_revenue_change_eur
    from weekly as cur
    left join weekly as prev
        on prev.category = cur.category
        and prev.week_start_date = cur.week_start_date - interval 7 day
)

select * from final order by iso_week, events desc, category
