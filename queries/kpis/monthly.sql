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
flt as (
    select $channels::varchar[] as channels,
),

months as (
    select
        m::date as month,
        greatest(m::date, $from::date) as first_day,
        least((m + interval 1 month - interval 1 day)::date, $to::date) as last_day,
    from range(date_trunc('month', $from::date), $to::date + interval 1 day, interval 1 month) as r(m)
),

lead_channel as (
    select l.lead_id, l.channel, from leads as l
),

leads_m as (
    select
        date_trunc('month', timezone($tz, l.created_at)::date)::date as month,
        count(*) as leads_n,
        count(*) filter (where l.qualification = 'junk') as junk_n,
    from leads as l
    cross join flt
    where timezone($tz, l.created_at)::date between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, l.channel))
    group by all
),

spend_m as (
    select
        date_trunc('month', s.date)::date as month,
        sum(s.spend)::double as spend_amount,
    from spend as s
    cross join flt
    where s.date between $from and $to
      and coalesce(s.currency, $currency) = $currency
      and (len(flt.channels) = 0 or list_contains(flt.channels, s.channel))
    group by all
),

-- last non-direct touch for won deals whose lead came 'direct': the client's touches are their
-- leads and the sessions of the visitors those leads name
credited as (
    select deal_id, channel, from direct_deal_credit
),

deal_channel as (
    select d.deal_id, coalesce(c.channel, k.channel, 'unknown') as channel,
    from deals as d
    left join lead_channel as k on k.lead_id = d.lead_id
    left join credited as c on c.deal_id = d.deal_id
),

won_deals as (
    select
        d.deal_id,
        coalesce(d.client_id, 'deal:' || d.deal_id) as client_key,
        d.closed_at,
        k.channel,
    from deals as d
    join deal_channel as k on k.deal_id = d.deal_id
    where d.status = 'won' and d.closed_at is not null
),

order_rows as (
    select
        o.order_id,
        min(o.ordered_at) as ordered_at,
        any_value(o.client_id) as client_id,
        any_value(o.deal_id) filter (where o.deal_id is not null) as deal_id,
        any_value(o.channel) filter (where o.channel is not null) as channel,
    from orders as o
    group by o.order_id
),

purchase_rows as (
    select 'deal:' || w.deal_id as purchase_key, w.client_key, w.closed_at as bought_at, 0 as kind_order,
           w.channel,
    from won_deals as w
    union all
    select
        coalesce('deal:' || w.deal_id, 'order:' || o.order_id),
        coalesce(w.client_key, o.client_id),
        o.ordered_at,
        1,
        coalesce(o.channel, k.channel, 'unknown'),
    from order_rows as o
    left join won_deals as w on w.deal_id = o.deal_id
    left join deal_channel as k on k.deal_id = o.deal_id
),

purchases as (
    select
        purchase_key,
        arg_min(client_key, (bought_at, kind_order)) as client_key,
        min(bought_at) as bought_at,
        arg_min(channel, (bought_at, kind_order)) as channel,
    from purchase_rows
    group by purchase_key
),

ranked as (
    select
        p.*,
        row_number() over (partition by p.client_key order by p.bought_at, p.purchase_key) as nth,
        date_trunc('month', timezone($tz, p.bought_at)::date)::date as month,
        timezone($tz, p.bought_at)::date as bought_on,
    from purchases as p
),

purchases_m as (
    select
        r.month,
        count(*) as purchases_n,
        count(*) filter (where r.nth = 1) as new_clients_n,
        count(*) filter (where r.nth > 1) as repeat_n,
    from ranked as r
    cross join flt
    where r.bought_on between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, r.channel))
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
