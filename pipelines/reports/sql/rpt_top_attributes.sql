-- Chain-wide unmet demand per week, category and attribute value, ranked within the category.
with mart as (
    select * from mart_unmet_demand where level = 'chain'
),

final as (
    select
        iso_week,
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
            partition by iso_week, category, attribute order by events desc, lost_revenue_eur desc, value
        ) as rank_in_category
    from mart
)

select * from final order by iso_week, category, attribute, rank_in_category
