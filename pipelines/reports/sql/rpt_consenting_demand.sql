-- Unmet demand of customers who agreed to be contacted: one row per event that has a customer_ref
-- AND a linked frontline note by that customer with customer_consent = true. Source of follow-ups.
with events as (
    select * from demand_events where customer_ref is not null
),

signals as (
    select * from demand_signals where source = 'frontline_notes'
),

notes as (
    select * from stg_frontline_notes where customer_consent and customer_ref is not null
),

consented as (
    select distinct s.event_id, n.customer_ref
    from signals as s
    inner join notes as n on n.note_id = s.record_id
),

final as (
    select
        e.iso_week,
        e.store_id,
        e.event_id,
        e.customer_ref,
        e.classification,
        e.category,
        e.color,
        e.pattern,
        e.size,
        e.sku,
        e.lost_revenue_eur,
        e.first_at as first_demanded_at
    from events as e
    inner join consented as c
        on c.event_id = e.event_id and c.customer_ref = e.customer_ref
)

select * from final order by iso_week, store_id, first_demanded_at, event_id
