-- One row per ISO week: unmet events, units and lost revenue, with the change vs the previous
-- calendar week (a week without data counts as zero, not as "the row before").
with events as (
    select * from demand_events
),

weekly as (
    select
        iso_week,
        min(date_trunc('week', event_date))::date as week_start_date,
        count(*) as events,
        count(distinct customer_ref) as customers,
        count(distinct store_id) as stores,
        sum(lost_units)::bigint as lost_units,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur,
        round(sum(estimated_revenue_eur), 2) as estimated_revenue_eur,
        count(*) filter (where classification = 'stockout') as stockout_events,
        count(*) filter (where classification = 'not_carried') as not_carried_events,
        count(*) filter (where classification = 'substituted') as substituted_events,
        count(*) filter (where classification = 'unknown') as unknown_events,
        sum(n_signals)::bigint as signals
    from events
    group by iso_week
),

with_previous as (
    select
        cur.*,
        coalesce(prev.events, 0) as prev_events,
        coalesce(prev.lost_revenue_eur, 0) as prev_lost_revenue_eur
    from weekly as cur
    left join weekly as prev
        on prev.week_start_date = cur.week_start_date - interval 7 day
),

final as (
    select
        iso_week,
        week_start_date,
        events,
        customers,
        stores,
        lost_units,
        lost_revenue_eur,
        estimated_revenue_eur,
        stockout_events,
        not_carried_events,
        substituted_events,
        unknown_events,
        signals,
        prev_events,
        prev_lost_revenue_eur,
        events - prev_events as events_change,
        round(lost_revenue_eur - prev_lost_revenue_eur, 2) as lost_revenue_change_eur,
        round(100.0 * (events - prev_events) / nullif(prev_events, 0), 1) as events_change_pct,
        round(100.0 * (lost_revenue_eur - prev_lost_revenue_eur) / nullif(prev_lost_revenue_eur, 0), 1)
            as lost_revenue_change_pct
    from with_previous
)

select * from final order by iso_week
