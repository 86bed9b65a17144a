-- Frontline notes per week and store (redacted text), with what became of them in the ledger.
with notes as (
    select * from stg_frontline_notes
),

signals as (
    select * from demand_signals where source = 'frontline_notes'
),

events as (
    select * from demand_events
),

note_events as (
    select
        s.record_id as note_id,
        count(distinct s.event_id) as events,
        string_agg(distinct e.classification, ', ' order by e.classification) as classifications
    from signals as s
    inner join events as e using (event_id)
    group by s.record_id
),

final as (
    select
        n.iso_week,
        n.store_id,
        n.note_id,
        n.captured_at,
        n.channel,
        n.category,
        len(n.demanded) as items,
        coalesce(ne.events, 0) as events,
        ne.classifications,
        n.text as redacted_text
    from notes as n
    left join note_events as ne using (note_id)
)

select * from final order by iso_week, store_id, captured_at desc, note_id
