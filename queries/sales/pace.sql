-- Plan pace for the current month (METRICS.md "Sales team", "Marketer KPIs" pace forecast): one
-- row per manager with a revenue plan for the month of $today or a deal won in it so far, plus a
-- last team-total row (is_total; sums of the rows above).
--   revenue_so_far: won deals (by closed_at) from the first day of the month to yesterday (today is
--     incomplete, as in the Marketer KPIs pace), in $currency
--   forecast = revenue_so_far × days in month / days elapsed (days elapsed = complete days of the
--     month before $today); null before $min_days complete days, when it would mean little
--   revenue_plan: the month's plans row (metric 'revenue', the manager, no channel), in $currency
-- The channel filter does not apply (see team.sql).
-- Parameters: $today (date, business time zone); $tz; $currency; $min_days (days a forecast needs).
-- Columns: manager ('' = no manager; null on the total row), is_total, month (date), days_elapsed,
--   days_in_month, revenue_so_far, forecast, revenue_plan, fact_pct (so far / plan, %),
--   forecast_pct (forecast / plan, %)
with
m as (
    select
        date_trunc('month', $today::date)::date as month_start,
        $today::date - 1 as today,
        case when $today::date - 1 >= date_trunc('month', $today::date)::date
            then day($today::date - 1) else 0 end as days_elapsed,
        day(last_day($today::date)) as days_in_month,
),

won as (
    select
        coalesce(trim(d.manager), '') as manager,
        coalesce(sum(d.amount) filter (where coalesce(d.currency, $currency) = $currency), 0)::double
            as revenue_amount,
    from deals as d, m
    where d.status = 'won'
      -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
      and d.closed_at >= timezone('UTC', (m.month_start::date - 2)::timestamp) and d.closed_at < timezone('UTC', (m.today::date + 3)::timestamp)
      and timezone($tz, d.closed_at)::date between m.month_start and m.today
    group by all
),

plan_in as (
    select trim(p.manager) as manager, sum(p.value)::double as plan_amount,
    from plans as p, m
    where p.metric = 'revenue'
      and coalesce(p.channel, '') = ''
      and coalesce(trim(p.manager), '') <> ''
      and p.month::date = m.month_start
    group by all
),

per_manager as (
    select
        coalesce(w.manager, p.manager) as manager,
        false as is_total,
        coalesce(w.revenue_amount, 0)::double as revenue_so_far,
        p.plan_amount as revenue_plan,
    from won as w
    full join plan_in as p on p.manager = w.manager
),

rows_ as (
    select * from per_manager
    union all
    select null, true, coalesce(sum(revenue_so_far), 0)::double, sum(revenue_plan)::double,
    from per_manager
),

final as (
    select
        r.manager,
        r.is_total,
        m.month_start as month,
        m.days_elapsed,
        m.days_in_month,
        r.revenue_so_far,
        case when m.days_elapsed >= $min_days
            then r.revenue_so_far * m.days_in_month / m.days_elapsed end as forecast,
        r.revenue_plan,
        100.0 * r.revenue_so_far / nullif(r.revenue_plan, 0) as fact_pct,
        case when m.days_elapsed >= $min_days
            then 100.0 * r.revenue_so_far * m.days_in_month / m.days_elapsed / nullif(r.revenue_plan, 0) end
            as forecast_pct,
    from rows_ as r, m
    order by r.is_total, r.manager = '', r.revenue_plan desc nulls last, r.manager
)

select * from final
