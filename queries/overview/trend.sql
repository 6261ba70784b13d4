-- One row per bucket of the period (every bucket, zeros where nothing happened), cash view.
-- Channel filter as in queries/overview/headline.sql (won deals by their attributed channel).
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $grain ('day', 'week',
--   'month'; whitelisted by the caller); $channels (varchar[]; empty = all); $currency.
-- Columns: bucket (date, first day of the bucket), spend (in $currency), leads, target_leads,
--   won_deals, revenue (in $currency)
with
days as (
    select d::date as day, date_trunc($grain, d::date)::date as bucket,
    from range($from::date, $to::date + interval 1 day, interval 1 day) as r(d)
),

spend_by_day as (
    select s.date as day, sum(s.spend)::double as spend_amount,
    from spend as s
    where s.date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
      and coalesce(s.currency, $currency) = $currency
    group by 1
),

leads_by_day as (
    select l.day, sum(l.leads_n) as leads_n, sum(l.leads_n - l.junk_n) as target_n,
    from fact_leads_day as l
    where l.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
    group by 1
),

-- won deals by the day they closed, under the channel the default attribution model (METRICS.md
-- "Attribution", last non-direct touch) credits: the fact fact_won_day (queries/facts/)
won_by_day as (
    select
        w.day,
        sum(w.won_n) as won_n,
        sum(w.amount) filter (where coalesce(w.currency, $currency) = $currency)::double as revenue_amount,
    from fact_won_day as w
    where w.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], w.channel))
    group by 1
),

final as (
    select
        days.bucket,
        coalesce(sum(s.spend_amount), 0)::double as spend,
        coalesce(sum(l.leads_n), 0)::bigint as leads,
        coalesce(sum(l.target_n), 0)::bigint as target_leads,
        coalesce(sum(w.won_n), 0)::bigint as won_deals,
        coalesce(sum(w.revenue_amount), 0)::double as revenue,
    from days
    left join spend_by_day as s on s.day = days.day
    left join leads_by_day as l on l.day = days.day
    left join won_by_day as w on w.day = days.day
    group by days.bucket
)

select * from final order by bucket
