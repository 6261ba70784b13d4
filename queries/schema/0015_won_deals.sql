-- Schema version 15: one row per won deal with its client, its cohort and closing days, its amount
-- and its lead's channel and campaign (queries/facts/fact_won_deals.sql), kept deal by deal like
-- the other deal facts (fullfunnel/facts.py), so the ROI report and the facts of won deals, new
-- clients and purchases by day read it instead of joining every deal to its lead. Built by the
-- first write after this migration; the other facts are left as they are.
create table if not exists fact_won_deals (
    deal_id varchar not null,
    closed_at timestamptz,
    client_key varchar not null,
    client_id varchar,
    deal_client_id varchar,
    cohort_day date not null,
    closed_day date,
    amount decimal(18, 2),
    currency varchar,
    lead_channel varchar,
    lead_campaign varchar,
);
