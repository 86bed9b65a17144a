-- Week-over-week change and a trend per chain-wide attribute value (all categories together).
-- Weeks in which a value was not asked for count as 0, weeks without any data at all included (the
-- weeks are the calendar's, from the data's first week to its last), so "the week before" is the
-- calendar week and the trend line runs over calendar weeks.
-- A value has a row in every week with data in which it was asked for or was asked for the
-- calendar week before (then 0 events and its fall), so a value that drops to 0 shows as falling
-- and the changes of an attribute's rows add up to the change of the events that state it.
-- The trend is a least-squares line through the events of the trailing weeks (up to 6, the
-- report week included): rising / falling when its slope is at least twice its standard error
-- away from 0 (about 95% confidence), steady otherwise, new with fewer than 4 weeks to judge,
-- except that a value at 0 after events the week before is falling then (its line over those
-- weeks always goes down: the merchandiser must not read a value nobody asks for any more as
-- new); from 4 weeks on the line decides (2, 0, 2, 0 is steady).
with mart as (
    select * from mart_unmet_demand where level = 'chain' and attribute in ('color', 'pattern', 'size')
),

weekly as (
    select iso_week, attribute, value, sum(events)::bigint as events, round(sum(lost_revenue_eur), 2) as lost_revenue_eur
    from mart
    group by all
),

bounds as (
    -- the calendar: every ISO week from the first to the last week of the mart, with or without
    -- data (a week nobody asked for anything is a 0, never skipped: week_no counts calendar weeks)
    select
        min(week_monday) as first_monday,
        max(week_monday) as last_monday
    from (
        select
            make_date(iso_year, 1, 4) - (isodow(make_date(iso_year, 1, 4)) - 1)::integer
                + 7 * (iso_week_no - 1)
                as week_monday
        from (
            select
                substr(iso_week, 1, 4)::int as iso_year,
                substr(iso_week, 7, 2)::int as iso_week_no
            from (select distinct iso_week from mart_unmet_demand)  -- the weeks first: few
        )
    )
),

data_weeks as (
    select distinct iso_week from mart_unmet_demand
),

weeks as (
    select lpad(isoyear(monday)::varchar, 4, '0') || '-W' || lpad(week(monday)::varchar, 2, '0') as iso_week
    from (
        select unnest(generate_series(first_monday, last_monday, interval 7 day))::date as monday
        from bounds
        where first_monday is not null
    )
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
        row_number() over (partition by attribute, value order by iso_week) as week_no
    from filled
),

fitted as (
    select
        *,
        count(*) over last_weeks as trend_weeks,
        regr_slope(events, week_no) over last_weeks as slope,
        regr_intercept(events, week_no) over last_weeks as intercept,
        regr_sxx(events, week_no) over last_weeks as sxx,
        regr_syy(events, week_no) over last_weeks as syy,
        regr_r2(events, week_no) over last_weeks as r2,
        min(week_no) over last_weeks as first_week_no
    from with_prev
    window last_weeks as (partition by attribute, value order by iso_week rows between 5 preceding and current row)
),

tested as (
    select
        *,
        -- standard error of the slope: sqrt(residual variance / sxx), residual SS = syy (1 - r2)
        sqrt(greatest(syy * (1 - coalesce(r2, 1)), 0) / greatest(trend_weeks - 2, 1) / nullif(sxx, 0))
            as slope_se,
        intercept + slope * first_week_no as fitted_first,
        intercept + slope * week_no as fitted_last
    from fitted
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
            when trend_weeks < 4 and events = 0 then 'falling'
            when trend_weeks < 4 then 'new'
            when slope > 0 and (slope_se = 0 or slope >= 2 * slope_se) then 'rising'
            when slope < 0 and (slope_se = 0 or -slope >= 2 * slope_se) then 'falling'
            else 'steady'
        end as trend,
        trend_weeks,
        case when trend_weeks >= 2 then round(slope, 2) end as slope_events_per_week,
        case when trend_weeks >= 2
            then round(100.0 * (fitted_last - fitted_first) / greatest(fitted_first, 1), 1)
        end as trend_change_pct
    from tested
    where events > 0 or (prev_events > 0 and iso_week in (select iso_week from data_weeks))
)

select * from final order by iso_week, attribute, events desc, value
