-- Sales team (METRICS.md "Sales team", "Leads", "Clients, revenue, money"): one row per manager
-- with anything in the period (an activity, a lead, a won deal or a revenue plan), one row for
-- leads and won deals without a manager (manager ''), and a last row with the team total
-- (is_total; its counts and money are the sums of the rows above, its ratios recomputed).
-- The channel filter does not apply: activities and plans belong to managers, not channels.
--   calls, meetings: activities of type 'call' / 'meeting' whose time falls in the period
--   leads: leads assigned to the manager (leads.manager) created in the period
--   won_deals: deals of the manager (deals.manager) with status 'won' and closed_at in the period
--   revenue: their amounts in $currency (rows without a currency count as $currency)
--   avg_check: revenue / won deals in $currency (deals in other currencies are left out of both)
--   leads_won: of the leads taken in the period, those with a won deal by now (cohort: a lead
--     with two won deals counts once; recent periods are still maturing)
--   lead_to_won_pct: leads_won / leads
--   revenue_plan: plans rows with metric 'revenue', a manager and no channel, prorated by day:
--     each month's value × (days of that month inside the period / days in the month), summed;
--     a whole month gives its plan, a week of a 30-day month 7/30 of it. Plans carry no
--     currency: they are read as amounts in $currency.
--   plan_pct: revenue / revenue_plan (null without a plan)
-- Rows are first narrowed to the instants a day or two around the period (cheap comparisons), so
-- only those are converted to business days.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $currency.
-- Columns: manager ('' = no manager; null on the total row), is_total, calls, meetings, leads,
--   won_deals, won_deals_in_currency, revenue (in $currency), avg_check (in $currency),
--   leads_won, lead_to_won_pct (%), revenue_plan (in $currency), plan_pct (%)
with
acts as (
    select
        coalesce(trim(a.manager), '') as manager,
        count(*) filter (where a.type = 'call') as calls_n,
        count(*) filter (where a.type = 'meeting') as meetings_n,
    from activities as a
    where a."at" between timezone('UTC', $from::timestamp) - interval 1 day
                     and timezone('UTC', $to::timestamp) + interval 2 day
      and timezone($tz, a."at")::date between $from and $to
      and a.type in ('call', 'meeting')
    group by all
),

leads_in as (
    select
        l.lead_id,
        coalesce(trim(l.manager), '') as manager,
    from leads as l
    where l.created_at between timezone('UTC', $from::timestamp) - interval 1 day
                           and timezone('UTC', $to::timestamp) + interval 2 day
      and timezone($tz, l.created_at)::date between $from and $to
),

lead_counts as (
    select
        li.manager,
        count(*) as leads_n,
        count(*) filter (where li.lead_id in (select d.lead_id from deals as d
                                              where d.status = 'won' and d.lead_id is not null))
            as leads_won_n,
    from leads_in as li
    group by all
),

won as (
    select
        coalesce(trim(d.manager), '') as manager,
        count(*) as won_n,
        count(*) filter (where coalesce(d.currency, $currency) = $currency) as won_in_currency_n,
        coalesce(sum(d.amount) filter (where coalesce(d.currency, $currency) = $currency), 0)::double
            as revenue_amount,
    from deals as d
    where d.status = 'won'
      and d.closed_at between timezone('UTC', $from::timestamp) - interval 1 day
                          and timezone('UTC', $to::timestamp) + interval 2 day
      and timezone($tz, d.closed_at)::date between $from and $to
    group by all
),

plan_months as (
    select
        trim(p.manager) as manager,
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

plan_in as (
    select
        pm.manager,
        sum(pm.value
            * (datediff('day', greatest(pm.month_start, $from::date), least(pm.month_end, $to::date)) + 1)
            / (datediff('day', pm.month_start, pm.month_end) + 1))::double as plan_amount,
    from plan_months as pm
    group by all
),

managers as (
    select manager from acts
    union
    select manager from lead_counts
    union
    select manager from won
    union
    select manager from plan_in
),

per_manager as (
    select
        m.manager,
        false as is_total,
        coalesce(a.calls_n, 0)::bigint as calls,
        coalesce(a.meetings_n, 0)::bigint as meetings,
        coalesce(lc.leads_n, 0)::bigint as leads,
        coalesce(w.won_n, 0)::bigint as won_deals,
        coalesce(w.won_in_currency_n, 0)::bigint as won_deals_in_currency,
        coalesce(w.revenue_amount, 0)::double as revenue,
        coalesce(lc.leads_won_n, 0)::bigint as leads_won,
        p.plan_amount as revenue_plan,
    from managers as m
    left join acts as a on a.manager = m.manager
    left join lead_counts as lc on lc.manager = m.manager
    left join won as w on w.manager = m.manager
    left join plan_in as p on p.manager = m.manager
),

team as (
    select
        null::varchar as manager,
        true as is_total,
        coalesce(sum(calls), 0)::bigint,
        coalesce(sum(meetings), 0)::bigint,
        coalesce(sum(leads), 0)::bigint,
        coalesce(sum(won_deals), 0)::bigint,
        coalesce(sum(won_deals_in_currency), 0)::bigint,
        coalesce(sum(revenue), 0)::double,
        coalesce(sum(leads_won), 0)::bigint,
        sum(revenue_plan)::double,
    from per_manager
),

rows_ as (
    select * from per_manager
    union all
    select * from team
),

final as (
    select
        manager,
        is_total,
        calls,
        meetings,
        leads,
        won_deals,
        won_deals_in_currency,
        revenue,
        revenue / nullif(won_deals_in_currency, 0) as avg_check,
        leads_won,
        100.0 * leads_won / nullif(leads, 0) as lead_to_won_pct,
        revenue_plan,
        100.0 * revenue / nullif(revenue_plan, 0) as plan_pct,
    from rows_
    order by is_total, manager = '', revenue desc, won_deals desc, leads desc, manager
)

select * from final
