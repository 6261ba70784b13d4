-- Schema version 13: deal facts follow an import deal by deal (fullfunnel/facts.py).
-- * The rule of reaching a funnel step moves from the view funnel_deal_steps into its fact's
--   definition, queries/facts/fact_deal_steps.sql, which can be run for a few deals only.
-- * fact_deal_inputs: a fingerprint of what each deal's fact rows are built from (its deals row and
--   its stage history), so a write that changed some deals rebuilds only theirs.
drop view if exists funnel_deal_steps;

create table if not exists fact_deal_inputs (
    deal_id varchar not null,
    fingerprint ubigint not null,
);

delete from ff_meta where key like 'facts_%';
