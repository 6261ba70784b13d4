-- Revenue by product over time (METRICS.md "Products (daily report)"): one row per bucket of
-- $grain × series, for every bucket of the period; a series is one of the $top products with the
-- most revenue over the whole period, or 'other' (is_other) for all the rest together (present
-- only when there are more than $top products). Zeros where nothing was sold.
-- Same order lines as products/period.sql: ordered_at in the business time zone, $currency
-- only (null currency counts as $currency), channel filter, a line without quantity is one unit.
-- Parameters: $from, $to (dates, inclusive); $tz; $grain ('day', 'week', 'month'); $channels
--   (varchar[]; empty = all); $currency; $top (integer ≥ 1).
-- Columns: bucket (date, first day of the bucket), product ('other' for the rest), is_other
--   (boolean), series_rank (1 = most revenue over the period; other last), revenue ($currency),
--   quantity (units)
with
-- the channel of each deal's lead ('unknown' for a deal without one), kept per deal in the fact
-- fact_deal_outcomes (queries/facts/fact_deal_outcomes.sql)
lead_channel as (
    select deal_id, channel, from fact_deal_outcomes
),

buckets as (
    select distinct date_trunc($grain, d::date)::date as bucket,
    from range($from::date, $to::date + interval 1 day, interval 1 day) as r(d)
),

lines as (
    select
        date_trunc($grain, timezone($tz, o.ordered_at)::date)::date as bucket,
        o.product,
        o.revenue::double as revenue_amount,
        coalesce(o.quantity, 1)::double as quantity_n,
    from orders as o
    left join lead_channel as lc on lc.deal_id = o.deal_id
    -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
    where o.ordered_at >= timezone('UTC', ($from::date - 2)::timestamp) and o.ordered_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, o.ordered_at)::date between $from and $to
      and coalesce(o.currency, $currency) = $currency
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], coalesce(o.channel, lc.channel, 'unknown')))
),

ranked as (
    select product, row_number() over (order by sum(revenue_amount) desc, product) as product_rank,
    from lines
    group by product
),

series_of as (
    select
        product,
        product_rank > $top as is_other,
        case when product_rank > $top then 'other' else product end as series,
        least(product_rank, $top + 1) as series_rank,
    from ranked
),

sums as (
    select
        l.bucket,
        s.series,
        sum(l.revenue_amount) as revenue_amount,
        sum(l.quantity_n) as quantity_n,
    from lines as l
    join series_of as s on s.product = l.product
    group by all
),

series as (
    select distinct series, is_other, series_rank from series_of
),

final as (
    select
        b.bucket,
        s.series as product,
        s.is_other,
        s.series_rank,
        coalesce(x.revenue_amount, 0)::double as revenue,
        coalesce(x.quantity_n, 0)::double as quantity,
    from buckets as b
    cross join series as s
    left join sums as x on x.bucket = b.bucket and x.series = s.series
)

select * from final order by bucket, series_rank
