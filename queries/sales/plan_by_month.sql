-- Team revenue plan per calendar month of the period (METRICS.md "Sales team"): one row per month
-- that overlaps the period and has a revenue plan for some manager. The plan is the sum of the
-- managers' plans (metric 'revenue', a manager, no channel), prorated by day like team.sql: a month
-- cut by the period gets value × (its days inside the period / days in the month).
-- Parameters: $from, $to (dates, inclusive, business time zone).
-- Columns: bucket (date, first day of the month), revenue_plan (in the report currency)
with
plan_months as (
    select
        p.value,
        p.month::date as month_start,
        last_day(p.month::date) as month_end,
    from plans as p
    where p.metric = 'revenue'
      and coalesce(p.channel, '') = ''
      and coalesce(trim(p.manager), '') <> ''
      and p.month::date <= $to::date
      and last_day(p.month::date) >= $from::date
),

final as (
    select
        month_start as bucket,
        sum(value
            * (datediff('day', greatest(month_start, $from::date), least(month_end, $to::date)) + 1)
            / (datediff('day', month_start, month_end) + 1))::double as revenue_plan,
    from plan_months
    group by all
    order by bucket
)

select * from final
