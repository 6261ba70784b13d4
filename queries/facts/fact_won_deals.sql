-- Fact: one row per won deal with what the ROI report and the purchase facts read of it, so that
-- they do not join every deal to the leads table and convert its dates on each run (METRICS.md
-- "Clients, revenue, money", "Attribution"):
--   client_key: the deal's client (its own, else its lead's), else the deal itself ('deal:' || id);
--   client_id: that client, null when neither has one; deal_client_id: the deal's own client;
--   cohort_day: the business day its lead was created (a deal without a lead: its own creation);
--   closed_day: the business day it was closed (null when it has no closing time);
--   lead_channel, lead_campaign: its lead's (null without a lead, or when the lead has none).
-- A deal's row depends only on its own deals row and its lead, so fullfunnel/facts.py keeps the
-- table `fact_won_deals` equal to this query deal by deal.
-- Parameters: $tz; $fact_deals (varchar[] or null): only these deals (null = every deal).
-- Columns: deal_id, closed_at, client_key, client_id, deal_client_id, cohort_day, closed_day,
--   amount, currency, lead_channel, lead_campaign
select
    d.deal_id,
    d.closed_at,
    coalesce(d.client_id, l.client_id, 'deal:' || d.deal_id) as client_key,
    coalesce(d.client_id, l.client_id) as client_id,
    d.client_id as deal_client_id,
    timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_day,
    timezone($tz, d.closed_at)::date as closed_day,
    d.amount,
    d.currency,
    l.channel as lead_channel,
    l.campaign as lead_campaign,
from deals as d
left join leads as l on l.lead_id = d.lead_id
where d.status = 'won'
  and ($fact_deals::varchar[] is null or d.deal_id in (select unnest($fact_deals::varchar[])))
