-- Week-over-week change and a trend flag per chain-wide attribute value (all categories together).
with mart as (
    select * from mart_unmet_demand where level = 'chain' and attribute in ('color', 'pattern', 'size')
),

weekly as (
    select iso_week, attribute, value, sum(events) as events, round(sum(lost_revenue_eur), 2) as lost_revenue_eur
    from mart
    group by all
),

with_prev as (
    select
        *,
        lag(events) over (partition by attribute, value order by iso_week) as prev_events,
        avg(events) over (
            partition by attribute, value order by iso_week rows between 3 preceding and 1 preceding
        ) as avg_prev_3_weeks
    from weekly
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
)

select * from final order by iso_week, attribute, events desc, value
