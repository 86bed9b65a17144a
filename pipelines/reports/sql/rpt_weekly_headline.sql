-- One row per ISO week: unmet events, units and lost revenue, with the change vs the previous week.
with events as (
    select * from demand_events
),

weekly as (
    select
        iso_week,
        count(*) as events,
        count(distinct customer_ref) as customers,
        sum(lost_units) as lost_units,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur,
        count(*) filter (where classification = 'stockout') as stockout_events,
        count(*) filter (where classification = 'not_carried') as not_carried_events,
        count(*) filter (where classification = 'substituted') as substituted_events,
        count(*) filter (where classification = 'unknown') as unknown_events,
        sum(n_signals) as signals
    from events
    group by iso_week
),

final as (
    select
        *,
        events - lag(events) over (order by iso_week) as events_change,
        round(lost_revenue_eur - lag(lost_revenue_eur) over (order by iso_week), 2)
            as lost_revenue_change_eur
    from weekly
)

select * from final order by iso_week
