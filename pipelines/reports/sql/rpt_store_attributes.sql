-- Unmet demand per week, store, category and attribute value (combinations included), ranked within
-- the store's category.
with mart as (
    select * from mart_unmet_demand where level = 'store'
),

final as (
    select
        iso_week,
        store_id,
        category,
        attribute,
        replace(value, '|', ', ') as value,  -- combinations as people write them: grey, solid
        events,
        customers,
        lost_units,
        lost_revenue_eur,
        stockout_events,
        not_carried_events,
        substituted_events,
        row_number() over (
            partition by iso_week, store_id, category, attribute
            order by events desc, lost_revenue_eur desc, value
        ) as rank_in_category
    from mart
)

select * from final order by iso_week, store_id, category, attribute, rank_in_category
