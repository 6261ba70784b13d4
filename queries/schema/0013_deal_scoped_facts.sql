-- Schema version 13: deal facts follow an import deal by deal (fullfunnel/facts.py); facts of new
-- clients and purchases by day and of each deal's funnel notes.
-- * The rule of reaching a funnel step moves from the view funnel_deal_steps into its fact's
--   definition, queries/facts/fact_deal_steps.sql, which can be run for a few deals only.
-- * fact_deal_inputs: a fingerprint of what each deal's fact rows are built from (its deals row and
--   its stage history), so a write that changed some deals rebuilds only theirs.
drop view if exists funnel_deal_steps;

create table if not exists fact_deal_inputs (
    deal_id varchar not null,
    fingerprint ubigint not null,
);


-- new clients per business day of their first purchase × credited channel × campaign
-- (queries/facts/fact_new_clients_day.sql), summed by the Channels leaderboard
create table if not exists fact_new_clients_day (
    day date not null,
    channel varchar not null,
    campaign varchar not null,
    new_clients_n bigint not null,
);

-- one row per deal with what the funnel's notes and lost-deal table read of it
-- (queries/facts/fact_deal_outcomes.sql)
create table if not exists fact_deal_outcomes (
    deal_id varchar not null,
    pipeline varchar not null,
    status varchar not null,
    channel varchar not null,
    has_history boolean not null,
    cohort_day date not null,
    closed_day date not null,
    lost_stage varchar,
    lost_reason varchar,
);

-- purchases, new clients and repeat purchases per business day × credited channel
-- (queries/facts/fact_purchases_day.sql), summed by month by the Marketer KPIs
create table if not exists fact_purchases_day (
    day date not null,
    channel varchar not null,
    purchases_n bigint not null,
    new_clients_n bigint not null,
    repeat_n bigint not null,
);

delete from ff_meta where key like 'facts_%';
