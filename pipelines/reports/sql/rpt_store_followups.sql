-- The store page's follow-up list: consenting customers' unmet demand (rpt_consenting_demand) with
-- what they asked for in their own words (the redacted text of their notes) and the style of the
-- sku they named. Events that name neither a sku nor a category are left out: nothing to offer.
with demand as (
    select * from rpt_consenting_demand where sku is not null or category is not null
),

signals as (
    select event_id, record_id as note_id from demand_signals where source = 'frontline_notes'
),

notes as (
    select note_id, customer_ref, text from stg_frontline_notes where customer_consent
),

catalog as (
    select sku, style from stg_catalog
),

words as (
    select
        d.event_id,
        string_agg(distinct n.text, ' / ' order by n.text) as asked_for
    from demand as d
    inner join signals as s using (event_id)
    inner join notes as n on n.note_id = s.note_id and n.customer_ref = d.customer_ref
    group by d.event_id
),

final as (
    select
        d.iso_week,
        d.store_id,
        d.customer_ref,
        d.category,
        d.color,
        d.pattern,
        d.size,
        d.sku,
        c.style,
        d.classification,
        d.first_demanded_at,
        w.asked_for,
        d.event_id
    from demand as d
    left join words as w using (event_id)
    left join catalog as c using (sku)
)

select * from final order by iso_week, store_id, first_demanded_at, event_id
