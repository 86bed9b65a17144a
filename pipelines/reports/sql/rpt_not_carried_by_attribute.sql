-- The long tail rolled up: not-carried demand by category x one attribute value (all green dresses,
-- whatever their size or pattern), ranked per week. Drill down to combinations in rpt_not_carried.
with events as (
    select * from demand_events where classification = 'not_carried' and category is not null
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
    from long
    group by all
),

final as (
    select
        *,
        row_number() over (
            partition by iso_week order by events desc, estimated_revenue_eur desc, category, attribute, value
        ) as rank
    from rolled
)

select * from final order by iso_week, rank
