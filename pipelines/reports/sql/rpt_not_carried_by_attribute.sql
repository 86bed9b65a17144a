-- The long tail rolled up: per week, category and one attribute value that no sku meeting the
-- category has (a gap in the assortment: every plaid coat, whatever its color or size), the
-- not-carried events that asked for it, ranked per week. A sku meets a category and a size by
-- the rule the classification uses (pipelines/demand/matching.py; docs/metrics.md, "What the
-- catalog carries"), joined here as the tables the warehouse derives from it, match_categories
-- and match_sizes: black is no gap for a `top` when black t-shirts are carried, nor a waist "32"
-- for jeans when 32x30 jeans are. Color family and pattern are compared as they are. An event
-- counts under each value it states that is such a gap: with a catalog whose coats are all
-- black, a black plaid coat counts under plaid, not under black. Not-carried events none of
-- whose values is a gap (a combination the catalog lacks although it has each value, or an item
-- a source said is not carried) and those of a category never compared with the catalog
-- (`other`) are only in the drill-down, rpt_not_carried. Ranked by what the report shows:
-- events, then lost revenue, then estimated revenue (the two are never added).
with events as (
    -- a category that meets nothing, not even itself, is not checked against the catalog
    select * from demand_events
    where classification = 'not_carried'
        and category in (select asked from match_categories)
),

offered as (
    -- every catalog sku under each demanded category it meets
    select m.asked as category, s.color_family, s.pattern, s.size
    from stg_catalog as s
    inner join match_categories as m on m.offered = s.category
),

carried as (
    -- every (demanded category, attribute, value) some sku meeting the category has: its color
    -- family, its pattern, and each demanded size that its size meets
    select distinct category, 'color' as attribute, color_family as value
    from offered where color_family is not null
    union
    select distinct category, 'pattern', pattern from offered where pattern is not null
    union
    select distinct o.category, 'size', z.asked
    from offered as o
    inner join match_sizes as z on z.offered = o.size
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
