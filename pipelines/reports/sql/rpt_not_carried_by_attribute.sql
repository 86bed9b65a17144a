-- The long tail rolled up: per week, category and one attribute value that no sku of the category
-- has (a gap in the assortment: every plaid coat, whatever its color or size), the not-carried
-- events that asked for it, ranked per week. An event counts under each value it states that is
-- such a gap: with a catalog whose coats are all black, a black plaid coat counts under plaid,
-- not under black. Not-carried events none of whose values is a gap (a combination the catalog
-- lacks although it has each value, or an item a source said is not carried) are only in the
-- drill-down, rpt_not_carried. Ranked by what the report shows: events, then lost revenue, then
-- estimated revenue (the two are never added).
with events as (
    select * from demand_events where classification = 'not_carried' and category is not null
),

carried as (
    -- every (category, attribute, value) some sku of the catalog has
    select distinct category, 'color' as attribute, color_family as value
    from stg_catalog where color_family is not null
    union
    select distinct category, 'pattern', pattern from stg_catalog
    union
    select distinct category, 'size', size from stg_catalog
),

long as (
    select iso_week, category, 'color' as attribute, color as value, store_id, customer_ref,
           lost_revenue_eur, estimated_revenue_eur
    from events where color is not null
    union all
    select iso_week, category, 'pattern', pattern, store_id, customer_ref, lost_revenue_eur,
           estimated_revenue_eur
    from events where pattern is not null
    union all
    select iso_week, category, 'size', size, store_id, customer_ref, lost_revenue_eur,
           estimated_revenue_eur
    from events where size is not null
),

gaps as (
    select *
    from long as l
    where not exists (
        select 1 from carried as c
        where c.category = l.category and c.attribute = l.attribute and c.value = l.value
    )
),

rolled as (
    select
        iso_week,
        category,
        attribute,
        value,
        count(*) as events,
        count(distinct store_id) as stores,
        count(distinct customer_ref) as customers,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur,
        round(sum(estimated_revenue_eur), 2) as estimated_revenue_eur
    from gaps
    group by all
),

final as (
    select
        *,
        row_number() over (
            partition by iso_week
            order by events desc, lost_revenue_eur desc, estimated_revenue_eur desc, category, attribute, value
        ) as rank
    from rolled
)

select * from final order by iso_week, rank
