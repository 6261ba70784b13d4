-- Schema version 9: the fact layer (fullfunnel/facts.py). Small tables the import keeps equal to
-- the queries in queries/facts/ (one per table, the raw-level definition of its numbers), so pages
-- read day-grain sums instead of the raw tables. Day columns are in the business time zone the
-- facts were built in (ff_meta 'facts_tz'); a query asked for another zone reads the definitions
-- instead (db.Reader). Built by the first write after this migration.

-- the default attribution credit of won 'direct' deals was a view over leads and sessions
drop view if exists direct_deal_credit;
create table if not exists direct_deal_credit (
    deal_id varchar not null,
    channel varchar not null,
    campaign varchar not null,
);

create table if not exists fact_sessions_day (
    day date not null,
    channel varchar not null,
    campaign varchar not null,
    sessions_n bigint not null,
);

create table if not exists fact_leads_day (
    day date not null,
    channel varchar not null,
    campaign varchar not null,
    leads_n bigint not null,
    junk_n bigint not null,
);

create table if not exists fact_funnel_day (
    view varchar not null,          -- 'cohort' or 'cash'
    day date not null,
    pipeline varchar not null,
    channel varchar not null,
    step varchar not null,
    deals_n bigint not null,
);

create table if not exists fact_won_day (
    day date not null,
    channel varchar not null,
    campaign varchar not null,
    currency varchar,
    won_n bigint not null,
    amount decimal(38, 2),
);

create table if not exists fact_deal_shares (
    model varchar not null,         -- 'last_non_direct', 'first', 'linear'
    deal_id varchar not null,
    channel varchar not null,
    campaign varchar not null,
    share double not null,
);

delete from ff_meta where key like 'facts_%';
