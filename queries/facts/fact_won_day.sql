-- Fact: won deals and their amounts per business day of closing × credited channel and campaign ×
-- currency (METRICS.md "Clients, revenue, money": a won deal counts on the day it was closed; the
-- default attribution model, last non-direct touch, credits it: the channel and campaign of
-- direct_deal_credit when the deal has a row there, else its lead's, 'unknown' / '' without a lead).
-- Amounts stay exact decimals per currency; the query picks its currency (null = the main one).
-- fullfunnel/facts.py keeps the table `fact_won_day` equal to this query.
-- Parameters: $tz
-- Columns: day, channel, campaign ('' when none), currency (null when the deal had none), won_n,
--   amount (sum of the amounts; null when every amount was empty)
-- The won deals with their days and their leads' channels come from the fact fact_won_deals.
select
    w.closed_day as day,
    coalesce(c.channel, w.lead_channel, 'unknown') as channel,
    coalesce(c.campaign, w.lead_campaign, '') as campaign,
    w.currency,
    count(*)::bigint as won_n,
    sum(w.amount) as amount,
from fact_won_deals as w
left join direct_deal_credit as c on c.deal_id = w.deal_id
where w.closed_at is not null
group by all
