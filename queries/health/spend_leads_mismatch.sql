-- One row per channel whose money and leads don't meet in the period:
--   'spend_no_leads' — spend in the period but not a single lead;
--   'leads_no_spend' — leads in the period, no spend in the period, although spend for this
--   channel was imported at some other time (its spend for the period is probably missing).
-- Free channels (seo, direct, ...) never had spend, so they are not listed.
-- Parameters: $from, $to (dates, inclusive, business time zone), $tz
-- Columns: channel, problem, spend_amount (sum of spend in any currency), leads_n
with
spend_in as (
    select s.channel, sum(s.spend)::double as spend_amount,
    from spend as s
    where s.date between $from and $to
    group by s.channel
),

leads_in as (
    select l.channel, count(*) as leads_n,
    from leads as l
    where timezone($tz, l.created_at)::date between $from and $to
    group by l.channel
),

paid_ever as (
    select distinct s.channel from spend as s
),

final as (
    select sp.channel, 'spend_no_leads' as problem, sp.spend_amount, 0::bigint as leads_n,
    from spend_in as sp
    left join leads_in as li on li.channel = sp.channel
    where li.channel is null and sp.spend_amount > 0
    union all
    select li.channel, 'leads_no_spend' as problem, 0.0 as spend_amount, li.leads_n,
    from leads_in as li
    join paid_ever as pe on pe.channel = li.channel
    left join spend_in as sp on sp.channel = li.channel
    where sp.channel is null
    order by problem, channel
)

select * from final
