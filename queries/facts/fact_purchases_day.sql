-- Fact: purchases per business day × credited channel (METRICS.md "Marketer KPIs", "Clients,
-- revenue, money"): a purchase = one order (all its product rows), or one won deal that no order
-- points to (an order linked to a won deal is the same purchase), on the day it was made (the
-- earliest of its rows); new_clients_n counts the purchases that were their client's first ever,
-- repeat_n the others. Credited to the purchase's channel: a won deal by the default attribution
-- model (last non-direct touch: direct_deal_credit, else its lead's channel, 'unknown' without a
-- lead), an order by its own channel, else its deal's. A deal without a client is its own client.
-- The Marketer KPIs sum it by month. fullfunnel/facts.py keeps the table `fact_purchases_day`
-- equal to this query.
-- Parameters: $tz
-- Columns: day, channel, purchases_n, new_clients_n, repeat_n
with
lead_channel as (
    select l.lead_id, l.channel, from leads as l
),

-- last non-direct touch for won deals whose lead came 'direct': the client's touches are their
-- leads and the sessions of the visitors those leads name
credited as (
    select deal_id, channel, from direct_deal_credit
),

-- the credited channel of the deals a purchase can be: the won ones (with their leads' channels,
-- from the fact fact_won_deals) and the others that orders name
deal_channel as (
    select w.deal_id, coalesce(c.channel, w.lead_channel, 'unknown') as channel,
    from fact_won_deals as w
    left join credited as c on c.deal_id = w.deal_id
    union all
    select d.deal_id, coalesce(c.channel, k.channel, 'unknown'),
    from deals as d
    left join lead_channel as k on k.lead_id = d.lead_id
    left join credited as c on c.deal_id = d.deal_id
    where d.status <> 'won' and d.deal_id in (select o.deal_id from orders as o)
),

won_deals as (
    select
        w.deal_id,
        coalesce(w.deal_client_id, 'deal:' || w.deal_id) as client_key,
        w.closed_at,
        k.channel,
    from fact_won_deals as w
    join deal_channel as k on k.deal_id = w.deal_id
    where w.closed_at is not null
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
        timezone($tz, p.bought_at)::date as bought_on,
    from purchases as p
)

select
    r.bought_on as day,
    r.channel,
    count(*)::bigint as purchases_n,
    count(*) filter (where r.nth = 1)::bigint as new_clients_n,
    count(*) filter (where r.nth > 1)::bigint as repeat_n,
from ranked as r
group by all
