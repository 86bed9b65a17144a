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
    -- an associate's note (associate_id set): a note the customer wrote (app, web, chat) is not
    -- an event the store's team captured
    select distinct s.event_id
    from signals as s
    inner join notes as n on n.note_id = s.record_id
    where s.source = 'frontline_notes' and n.associate_id is not null
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
        b.noted_events / b.events as capture_rate,
        round(coalesce(w.notes, 0) / nullif(y.system_signals, 0), 3) as notes_per_system_signal
    from by_store as b
    left join written as w using (iso_week, store_id)
    left join system as y using (iso_week, store_id)
    left join stores as s using (store_id)
),

final as (
    -- rounded once, to the two decimals every page shows (0.595 would otherwise show as 0.59);
    -- the median is of the exact rates, the rank of the rates as shown
    select
        * replace (round(capture_rate, 2) as capture_rate),
        round(median(capture_rate) over (partition by iso_week), 2) as chain_median_capture_rate,
        row_number() over (partition by iso_week order by lost_revenue_eur desc, store_id)
            as rank_by_lost_revenue,
        rank() over (partition by iso_week order by round(capture_rate, 2) desc)
            as rank_by_capture_rate  -- stores with the same rate as shown share a rank
    from joined
)

select * from final order by iso_week, rank_by_lost_revenue
