-- Unmet demand per week and category, with the change vs the previous calendar week.
-- A category has a row in every week with data in which it had events or had them the calendar
-- week before: a category that drops to 0 keeps a row (0 events, its fall), so the changes of a
-- week's rows add up to the headline's events_change and lost_revenue_change_eur.
with events as (
    select * from demand_events
),

weekly as (
    select
        iso_week,
        min(date_trunc('week', event_date))::date as week_start_date,
        coalesce(category, '(unknown)') as category,
        count(*) as events,
        count(distinct customer_ref) as customers,
        sum(lost_units)::bigint as lost_units,
        round(sum(lost_revenue_eur), 2) as lost_revenue_eur,
        count(*) filter (where classification = 'stockout') as stockout_events,
        count(*) filter (where classification = 'not_carried') as not_carried_events,
        count(*) filter (where classification = 'substituted') as substituted_events
    from events
    group by iso_week, coalesce(category, '(unknown)')
),

weeks as (
    -- the weeks with data (the headline's rows)
    select distinct iso_week, week_start_date from weekly
),

shown as (
    -- this week's categories and last week's (those now at 0)
    select iso_week, week_start_date, category from weekly
    union
    select w.iso_week, w.week_start_date, prev.category
    from weeks as w
    inner join weekly as prev on prev.week_start_date = w.week_start_date - interval 7 day
),

final as (
    select
        s.iso_week,
        s.category,
        coalesce(cur.events, 0) as events,
        coalesce(cur.customers, 0) as customers,
        coalesce(cur.lost_units, 0)::bigint as lost_units,
        coalesce(cur.lost_revenue_eur, 0) as lost_revenue_eur,
        coalesce(cur.stockout_events, 0) as stockout_events,
        coalesce(cur.not_carried_events, 0) as not_carried_events,
        coalesce(cur.substituted_events, 0) as substituted_events,
        coalesce(cur.events, 0) - coalesce(prev.events, 0) as events_change,
        round(coalesce(cur.lost_revenue_eur, 0) - coalesce(prev.lost_revenue_eur, 0), 2)
            as lost_revenue_change_eur
    from shown as s
    left join weekly as cur
        on cur.iso_week = s.iso_week
        and cur.category = s.category
    left join weekly as prev
        on prev.category = s.category
        and prev.week_start_date = s.week_start_date - interval 7 day
)

select * from final order by iso_week, events desc, category
