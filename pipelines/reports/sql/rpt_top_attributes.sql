-- Chain-wide unmet demand per week, category and attribute value, ranked within the category,
-- with the change vs the previous calendar week. A value has a row in every week with data in
-- which it had events or had them the calendar week before (then 0 events, its fall, ranked
-- last), so the changes of a category's rows of one attribute add up to the change of its events
-- that state that attribute.
with mart as (
    select
        *,
        strptime(iso_week || '-1', '%G-W%V-%u')::date as week_start_date
    from mart_unmet_demand
    where level = 'chain'
),

weeks as (
    -- the weeks with data
    select distinct iso_week, week_start_date from mart
),

shown as (
    -- this week's values and last week's (those now at 0)
    select iso_week, week_start_date, category, attribute, value from mart
    union
    select w.iso_week, w.week_start_date, prev.category, prev.attribute, prev.value
    from weeks as w
    inner join mart as prev on prev.week_start_date = w.week_start_date - interval 7 day
),

filled as (
    select
        s.iso_week,
        s.category,
        s.attribute,
        s.value,
        coalesce(cur.events, 0) as events,
        coalesce(cur.customers, 0) as customers,
        coalesce(cur.lost_units, 0) as lost_units,
        coalesce(cur.lost_revenue_eur, 0) as lost_revenue_eur,
        coalesce(cur.stockout_events, 0) as stockout_events,
        coalesce(cur.not_carried_events, 0) as not_carried_events,
        coalesce(cur.substituted_events, 0) as substituted_events,
        coalesce(cur.events, 0) - coalesce(prev.events, 0) as events_change
    from shown as s
    left join mart as cur
        on cur.iso_week = s.iso_week
        and cur.category = s.category
        and cur.attribute = s.attribute
        and cur.value = s.value
    left join mart as prev
        on prev.week_start_date = s.week_start_date - interval 7 day
        and prev.category = s.category
        and prev.attribute = s.attribute
        and prev.value = s.value
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
        events_change,
        row_number() over (
            partition by iso_week, category, attribute order by events desc, lost_revenue_eur desc, value
        ) as rank_in_category
    from filled
)

select * from final order by iso_week, category, attribute, rank_in_category
