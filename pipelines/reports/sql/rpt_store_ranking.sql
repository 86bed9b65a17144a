-- Stores per week: unmet events, priced and estimated revenue, and the capture rate (the share of
-- the store's events that an associate wrote down), ranked both ways.
with events as (
    select * from demand_events
),

signals as (
    select * from demand_signals
),

notes as (
    select * from stg_frontline_notes
),

stores as (
    select * from stg_stores
),

noted_events as (
    select distinct event_id from signals where source = 'frontline_notes'
),

by_store as (
    select
        e.iso_week,
        e.store_id,
        count(*) as events,
        count(*) filter (where e.classification = 'not_carried') as not_carried_events,
        count(n.event_id) as noted_events,
        round(sum(e.lost_revenue_eur), 2) as lost_revenue_eur,
        round(sum(e.estimated_revenue_eur), 2) as estimated_revenue_eur
    from events as e
    left join noted_events as n using (event_id)
    group by all
),

written as (
    select iso_week, store_id, count(*) as notes
    from notes
    group by all
),

system as (
    select iso_week, store_id, count(*) as system_signals
    from signals
    where source <> 'frontline_notes'
    group by all
),

joined as (
    select
        b.iso_week,
        b.store_id,
        s.name as store_name,
        s.region,
        b.events,
        b.not_carried_events,
        b.lost_revenue_eur,
        b.estimated_revenue_eur,
        round(100.0 * b.lost_revenue_eur / nullif(sum(b.lost_revenue_eur) over (partition by b.iso_week), 0), 1)
            as lost_revenue_share_pct,
        coalesce(w.notes, 0) as notes,
        coalesce(y.system_signals, 0) as system_signals,
        b.noted_events,
        round(b.noted_events / b.events, 3) as capture_rate,
        round(coalesce(w.notes, 0) / nullif(y.system_signals, 0), 3) as notes_per_system_signal
    from by_store as b
    left join written as w using (iso_week, store_id)
    left join system as y using (iso_week, store_id)
    left join stores as s using (store_id)
),

final as (
    select
        *,
        round(median(capture_rate) over (partition by iso_week), 3) as chain_median_capture_rate,
        row_number() over (partition by iso_week order by lost_revenue_eur desc, store_id)
            as rank_by_lost_revenue,
        row_number() over (partition by iso_week order by capture_rate desc, store_id)
            as rank_by_capture_rate
    from joined
)

select * from final order by iso_week, rank_by_lost_revenue
