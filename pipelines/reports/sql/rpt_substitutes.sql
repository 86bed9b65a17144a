-- What customers took instead: demanded attributes vs the substitute's attributes, per week.
with events as (
    select * from demand_events where classification = 'substituted'
),

final as (
    select
        iso_week,
        category,
        coalesce(color, '-') as wanted_color,
        coalesce(substitute_color, '-') as took_color,
        coalesce(size, '-') as wanted_size,
        coalesce(substitute_size, '-') as took_size,
        count(*) as events,
        -- what was asked for, at its (priced) unit price; lost revenue is net of the substitute
        round(sum(lost_units * unit_price_eur) filter (
            where price_basis in ('unit_price_paid', 'sku_price')
        ), 2) as demanded_revenue_eur,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur
    from events
    group by all
)

select * from final order by iso_week, events desc, category, wanted_color, took_color, wanted_size, took_size
