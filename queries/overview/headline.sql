-- One row per headline metric for one period, cash view: what happened in the period
-- (spend on its date, sessions started, leads created, deals won by closed_at). The channel filter
-- applies to leads by their own channel and to won deals by their attributed channel (default model,
-- last non-direct touch; see `credited`), so a channel's revenue is the Channels and ROI pages' one.
-- Sessions and leads are day sums from the facts fact_sessions_day and fact_leads_day (queries/facts/).
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz (IANA zone);
--   $channels (varchar[]; empty = all channels); $currency (money in other currencies is left
--   out, rows without a currency count as $currency).
-- Columns: metric (spend, sessions, leads, target_leads, won_deals, revenue, romi_pct,
--   target_cpl = spend / target leads, in $currency),
--   value (double; null when that kind of data was never imported), position (display order)
with
presence as (
    select
        (select count(*) from spend) > 0 as has_spend,
        (select count(*) from sessions) > 0 as has_sessions,
        (select count(*) from traffic) > 0 as has_traffic,
        (select count(*) from leads) > 0 as has_leads,
        (select count(*) from deals) > 0 as has_deals,
),

spend_in as (
    select coalesce(sum(s.spend), 0)::double as spend_amount,
    from spend as s
    where s.date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
      and coalesce(s.currency, $currency) = $currency
),

sessions_in as (
    select coalesce(sum(s.sessions_n), 0)::double as sessions_n,
    from fact_sessions_day as s
    where s.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
),

traffic_in as (
    select coalesce(sum(t.sessions), 0)::double as sessions_n,
    from traffic as t
    where t.date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], t.channel))
),

leads_in as (
    select
        coalesce(sum(l.leads_n), 0)::double as leads_n,
        coalesce(sum(l.junk_n), 0)::double as junk_n,
    from fact_leads_day as l
    where l.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
),

-- won deals by the day they closed, under the channel the default attribution model (METRICS.md
-- "Attribution", last non-direct touch) credits: the fact fact_won_day (queries/facts/)
won_in as (
    select
        coalesce(sum(w.won_n), 0)::double as won_n,
        coalesce(sum(w.amount) filter (where coalesce(w.currency, $currency) = $currency), 0)::double
            as revenue_amount,
    from fact_won_day as w
    where w.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], w.channel))
),

final as (
    select 1 as position, 'spend' as metric,
        case when p.has_spend then sp.spend_amount end as value,
    from presence as p, spend_in as sp
    union all
    select 2, 'sessions',
        case when p.has_sessions then se.sessions_n when p.has_traffic then tr.sessions_n end,
    from presence as p, sessions_in as se, traffic_in as tr
    union all
    select 3, 'leads', case when p.has_leads then li.leads_n end,
    from presence as p, leads_in as li
    union all
    select 4, 'target_leads', case when p.has_leads then li.leads_n - li.junk_n end,
    from presence as p, leads_in as li
    union all
    select 5, 'won_deals', case when p.has_deals then w.won_n end,
    from presence as p, won_in as w
    union all
    select 6, 'revenue', case when p.has_deals then w.revenue_amount end,
    from presence as p, won_in as w
    union all
    select 7, 'romi_pct',
        case when p.has_spend and p.has_deals and sp.spend_amount > 0
            then 100.0 * (w.revenue_amount - sp.spend_amount) / sp.spend_amount end,
    from presence as p, spend_in as sp, won_in as w
    union all
    select 8, 'target_cpl',
        case when p.has_spend and p.has_leads and li.leads_n - li.junk_n > 0
            then sp.spend_amount / (li.leads_n - li.junk_n) end,
    from presence as p, spend_in as sp, leads_in as li
)

select metric, value, position from final order by position
