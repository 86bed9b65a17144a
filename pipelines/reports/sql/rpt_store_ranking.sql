-- Stores per week: unmet events and lost revenue, and the capture rate (notes vs system signals),
-- ranked both ways.
with events as (
    select * from demand_events
),

signals as (
    select * from demand_signals
),

stores as (
    select * from stg_stores
),

by_store as (
    select
        iso_week,
        store_id,
        count(*) as events,
        count(*) filter (where classification = 'not_carried') as not_carried_events,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur
    from events
    group by all
),

capture as (
    select
        iso_week,
        store_id,
        count(distinct record_id) filter (where source = 'frontline_notes') as notes,
        count(*) filter (where source <> 'frontline_notes') as system_signals
    from signals
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
        round(100.0 * b.lost_revenue_eur / nullif(sum(b.lost_revenue_eur) over (partition by b.iso_week), 0), 1)
            as lost_revenue_share_pct,
        coalesce(c.notes, 0) as notes,
        coalesce(c.system_signals, 0) as system_signals,
        round(coalesce(c.notes, 0) / nullif(c.system_signals, 0), 3) as capture_rate
    from by_store as b
    left join capture as c using (iso_week, store_id)
    left join stores as s using (store_id)
),

final as (
    select
        *,
        row_number() over (partition by iso_week order by lost_revenue_eur desc, store_id)
            as rank_by_lost_revenue,
        row_number() over (partition by iso_week order by capture_rate desc nulls last, store_id)
            as rank_by_capture_rate
    from joined
)

select * from final order by iso_week, rank_by_lost_revenue
