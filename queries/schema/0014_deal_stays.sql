-- Schema version 14: the stays of deals in stages (queries/facts/fact_deal_stays.sql), one row per
-- finished stay, kept deal by deal like the other deal facts (fullfunnel/facts.py), so the time in
-- stage reads them instead of every deal's stage history. Built by the first write after this
-- migration; the other facts are left as they are.
create table if not exists fact_deal_stays (
    deal_id varchar not null,
    pipeline varchar not null,
    channel varchar not null,
    cohort_day date not null,
    stage varchar not null,
    entered_at timestamptz not null,
    entered_day date not null,
    left_at timestamptz not null,
);
