-- Fact: new clients per business day of their first purchase × credited channel and campaign
-- (METRICS.md "Clients, revenue, money", "Attribution"): a client's purchases are their won deals
-- (by closed_at) and their orders (by ordered_at); the first one ever (ties: a won deal before an
-- order) makes them a new client on its day, credited like the purchase — a won deal by the
-- default attribution model (last non-direct touch: direct_deal_credit when the deal has a row
-- there, else its lead's channel and campaign, 'unknown' / '' without a lead), an order by its own
-- channel, else its deal's credited channel. A deal without a client is its own client.
-- The Channels leaderboard and the Weekly meeting sum it. fullfunnel/facts.py keeps the table
-- `fact_new_clients_day` equal to this query.
-- Parameters: $tz
-- Columns: day, channel, campaign ('' when none), new_clients_n
with
lead_keys as (
    select l.lead_id, l.channel, coalesce(l.campaign, '') as campaign,
    from leads as l
),

-- the credited channel and campaign of the deals a purchase can be: the won ones (with their
-- leads' channels, from the fact fact_won_deals) and the others that orders name
deal_keys as (
    select
        w.deal_id,
        coalesce(c.channel, w.lead_channel, 'unknown') as channel,
        coalesce(c.campaign, w.lead_campaign, '') as campaign,
    from fact_won_deals as w
    left join direct_deal_credit as c on c.deal_id = w.deal_id
    union all
    select
        d.deal_id,
        coalesce(c.channel, k.channel, 'unknown'),
        coalesce(c.campaign, k.campaign, ''),
    from deals as d
    left join lead_keys as k on k.lead_id = d.lead_id
    left join direct_deal_credit as c on c.deal_id = d.deal_id
    where d.status <> 'won' and d.deal_id in (select o.deal_id from orders as o)
),

purchases as (
    select
        coalesce(w.deal_client_id, 'deal:' || w.deal_id) as client_key,
        w.closed_at as bought_at,
        0 as kind_order,
        coalesce(k.channel, 'unknown') as channel,
        coalesce(k.campaign, '') as campaign,
    from fact_won_deals as w
    left join deal_keys as k on k.deal_id = w.deal_id
    where w.closed_at is not null
    union all
    select
        o.client_id,
        o.ordered_at,
        1,
        coalesce(o.channel, k.channel, 'unknown'),
        coalesce(k.campaign, ''),
    from orders as o
    left join deal_keys as k on k.deal_id = o.deal_id
),

first_purchase as (
    select
        client_key,
        arg_min(channel, (bought_at, kind_order)) as channel,
        arg_min(campaign, (bought_at, kind_order)) as campaign,
        min(bought_at) as first_at,
    from purchases
    group by client_key
)

select timezone($tz, first_at)::date as day, channel, campaign, count(*)::bigint as new_clients_n,
from first_purchase
group by all
