-- Won deals over time per manager (METRICS.md "Sales team", "Clients, revenue, money"): one row
-- per bucket × manager for every bucket of the period and every manager with a won deal in it
-- (manager '' = no manager); zeros where nothing was won. Deals counted on closed_at in the
-- business time zone. The channel filter does not apply (see team.sql).
-- Parameters: $from, $to (dates, inclusive); $tz; $grain ('day', 'week', 'month'); $currency
--   (amounts in other currencies left out of revenue; null currency counts as $currency).
-- Columns: bucket (date, first day of the bucket), manager, won_deals, revenue (in $currency)
with
buckets as (
    select distinct date_trunc($grain, d::date)::date as bucket,
    from range($from::date, $to::date + interval 1 day, interval 1 day) as r(d)
),

won_in as (
    select
        date_trunc($grain, timezone($tz, d.closed_at)::date)::date as bucket,
        coalesce(trim(d.manager), '') as manager,
        d.amount,
        coalesce(d.currency, $currency) = $currency as in_currency,
    from deals as d
    where d.status = 'won'
      -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
      and d.closed_at >= timezone('UTC', ($from::date - 2)::timestamp) and d.closed_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, d.closed_at)::date between $from and $to
),

series as (
    select distinct manager from won_in
),

counts as (
    select
        bucket,
        manager,
        count(*) as won_n,
        coalesce(sum(amount) filter (where in_currency), 0)::double as revenue_amount,
    from won_in
    group by all
),

final as (
    select
        b.bucket,
        s.manager,
        coalesce(c.won_n, 0)::bigint as won_deals,
        coalesce(c.revenue_amount, 0)::double as revenue,
    from buckets as b
    cross join series as s
    left join counts as c on c.bucket = b.bucket and c.manager = s.manager
    order by b.bucket, s.manager
)

select * from final
