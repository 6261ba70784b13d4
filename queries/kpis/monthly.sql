-- Marketer KPIs per calendar month (METRICS.md "Marketer KPIs", "Clients, revenue, money", "Leads"):
-- one row per month overlapping [$from, $to], counting only what happened between $from and $to
-- (so the current month can be cut at yesterday: "value so far").
-- New client = a client whose first purchase ever (won deal by closed_at, or order) falls in the
-- month, credited to the channel of that purchase: a won deal by the default attribution model
-- (METRICS.md "Attribution", last non-direct touch, as in queries/channels/leaderboard.sql: its
-- lead's channel unless 'direct', then the client's most recent earlier non-direct, non-unknown lead
-- or session within 90 days of that lead; 'unknown' without a lead); an order by its own channel,
-- else its deal's credited channel. A purchase = one order (all its product rows), or
-- one won deal that no order points to (an order linked to a won deal is the same purchase).
-- Repeat purchase = a purchase of a client who had bought before (not the client's first one),
-- credited to that purchase's channel. A deal without a client is its own client.
-- Positive review = rating >= 4 of 5; reviews are company-wide, the channel filter does not apply.
-- Parameters: $from, $to (dates, inclusive, business time zone; $from is a month's first day);
--   $tz; $channels (varchar[]; empty = all); $currency (spend in other currencies left out, null
--   currency counts as $currency).
-- Columns: month (first day), days_n (days of the month inside [$from, $to]), new_clients,
--   cost_per_client (spend / new clients, in $currency), leads, target_leads, target_cpl
--   (spend / target leads, in $currency), spend (in $currency), purchases, repeat_purchases,
--   reviews, positive_reviews
with
months as (
    select
        m::date as month,
        greatest(m::date, $from::date) as first_day,
        least((m + interval 1 month - interval 1 day)::date, $to::date) as last_day,
    from range(date_trunc('month', $from::date), $to::date + interval 1 day, interval 1 month) as r(m)
),

-- leads per business day and channel: the fact fact_leads_day (queries/facts/)
leads_m as (
    select
        date_trunc('month', l.day)::date as month,
        sum(l.leads_n)::bigint as leads_n,
        sum(l.junk_n)::bigint as junk_n,
    from fact_leads_day as l
    where l.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
    group by all
),

spend_m as (
    select
        date_trunc('month', s.date)::date as month,
        sum(s.spend)::double as spend_amount,
    from spend as s
    where s.date between $from and $to
      and coalesce(s.currency, $currency) = $currency
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
    group by all
),

-- purchases, new clients and repeat purchases per business day and credited channel, by the rules
-- above: the fact fact_purchases_day (queries/facts/)
purchases_m as (
    select
        date_trunc('month', p.day)::date as month,
        sum(p.purchases_n)::bigint as purchases_n,
        sum(p.new_clients_n)::bigint as new_clients_n,
        sum(p.repeat_n)::bigint as repeat_n,
    from fact_purchases_day as p
    where p.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], p.channel))
    group by all
),

reviews_m as (
    select
        date_trunc('month', v.date)::date as month,
        count(*) as reviews_n,
        count(*) filter (where v.rating >= 4) as positive_n,
    from reviews as v
    where v.date between $from and $to
    group by all
),

final as (
    select
        m.month,
        (m.last_day - m.first_day + 1)::integer as days_n,
        coalesce(p.new_clients_n, 0)::bigint as new_clients,
        s.spend_amount / nullif(p.new_clients_n, 0) as cost_per_client,
        coalesce(l.leads_n, 0)::bigint as leads,
        coalesce(l.leads_n - l.junk_n, 0)::bigint as target_leads,
        s.spend_amount / nullif(l.leads_n - l.junk_n, 0) as target_cpl,
        coalesce(s.spend_amount, 0)::double as spend,
        coalesce(p.purchases_n, 0)::bigint as purchases,
        coalesce(p.repeat_n, 0)::bigint as repeat_purchases,
        coalesce(v.reviews_n, 0)::bigint as reviews,
        coalesce(v.positive_n, 0)::bigint as positive_reviews,
    from months as m
    left join leads_m as l on l.month = m.month
    left join spend_m as s on s.month = m.month
    left join purchases_m as p on p.month = m.month
    left join reviews_m as v on v.month = m.month
)

select * from final order by month
