-- Week-over-week change and a trend flag per chain-wide attribute value (all categories together).
-- Weeks in which a value was not asked for count as 0, so "the week before" is the calendar week.
with mart as (
    select * from mart_unmet_demand where level = 'chain' and attribute in ('color', 'pattern', 'size')
),

weekly as (
    select iso_week, attribute, value, sum(events) as events, round(sum(lost_revenue_eur), 2) as lost_revenue_eur
    from mart
    group by all
),

weeks as (
    select distinct iso_week from mart_unmet_demand
),

attribute_values as (
    select attribute, value, min(iso_week) as first_week from weekly group by all
),

spine as (
    select w.iso_week, v.attribute, v.value
    from attribute_values as v
    inner join weeks as w on w.iso_week >= v.first_week
),

filled as (
    select
        s.iso_week,
        s.attribute,
        s.value,
        coalesce(w.events, 0) as events,
        coalesce(w.lost_revenue_eur, 0) as lost_revenue_eur
    from spine as s
    left join weekly as w using (iso_week, attribute, value)
),

with_prev as (
    select
        *,
        lag(events) over (partition by attribute, value order by iso_week) as prev_events,
        avg(events) over (
            partition by attribute, value order by iso_week rows between 3 preceding and 1 preceding
        ) as avg_prev_3_weeks
    from filled
),

final as (
    select
        iso_week,
        attribute,
        value,
        events,
        lost_revenue_eur,
        events - coalesce(prev_events, 0) as events_change,
        case
            when avg_prev_3_weeks is null then 'new'
            when events >= 1.25 * avg_prev_3_weeks and events - avg_prev_3_weeks >= 2 then 'rising'
            when events <= 0.75 * avg_prev_3_weeks and avg_prev_3_weeks - events >= 2 then 'falling'
            else 'steady'
        end as trend
    from with_prev
    where events > 0
)

select * from final order by iso_week, attribute, events desc, value
