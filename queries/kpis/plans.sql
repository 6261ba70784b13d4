-- Monthly plans for the marketer KPIs (METRICS.md "Marketer KPIs"): one row per month × KPI with a plan
-- in [$from, $to]. Plan metric names are the KPI names (new_clients, cost_per_client, leads,
-- target_leads, target_cpl, spend, repeat_purchases, positive_reviews), case-insensitive; also
-- accepted: clients (= new_clients), cac (= cost_per_client), budget (= spend). When both a name
-- and its alias are imported for the same month, the name wins.
-- Without a channel filter the company-wide row is used (channel and manager empty). With a channel
-- filter: the sum of the selected channels' rows (manager empty) — only when every selected channel
-- has one; a ratio KPI (cost_per_client, target_cpl) has a plan only for a single channel. Reviews
-- are company-wide, so positive_reviews always uses the company-wide row.
-- Parameters: $from, $to (dates; months whose first day falls inside); $channels (varchar[]; empty = all).
-- Columns: month (first day), kpi, plan (in the KPI's unit; money in the report currency)
with
flt as (
    select $channels::varchar[] as channels,
),

named as (
    select
        p.month,
        case lower(trim(p.metric))
            when 'clients' then 'new_clients'
            when 'cac' then 'cost_per_client'
            when 'budget' then 'spend'
            else lower(trim(p.metric))
        end as kpi,
        lower(trim(p.metric)) in ('clients', 'cac', 'budget') as is_alias,
        coalesce(p.channel, '') as channel,
        coalesce(p.manager, '') as manager,
        p.value,
    from plans as p
    where p.month between $from and $to
),

kpi_rows as (
    select
        month, kpi, channel,
        arg_min(value, is_alias::integer) as value,
    from named
    where manager = ''
      and kpi in ('new_clients', 'cost_per_client', 'leads', 'target_leads', 'target_cpl', 'spend',
                  'repeat_purchases', 'positive_reviews')
    group by all
),

company as (
    select k.month, k.kpi, k.value as plan,
    from kpi_rows as k
    cross join flt
    where k.channel = ''
      and (len($channels::varchar[]) = 0 or k.kpi = 'positive_reviews')
),

by_channel as (
    select
        k.month,
        k.kpi,
        case
            when count(distinct k.channel) < len(any_value(flt.channels)) then null
            when k.kpi in ('cost_per_client', 'target_cpl') and len(any_value(flt.channels)) > 1 then null
            else sum(k.value)
        end as plan,
    from kpi_rows as k
    cross join flt
    where len($channels::varchar[]) > 0
      and k.kpi <> 'positive_reviews'
      and list_contains($channels::varchar[], k.channel)
    group by k.month, k.kpi
),

final as (
    select * from company
    union all
    select * from by_channel where plan is not null
)

select * from final order by month, kpi
