-- Fact: one row per deal × funnel step it reached, the view funnel_deal_steps (queries/schema/
-- 0010_funnel_deal_steps.sql, the one definition of "reached stage k") kept as a table so the funnel
-- counts and the drill-down to the deals behind a row do not recompute every deal's history.
-- fullfunnel/facts.py keeps the table `fact_deal_steps` equal to this query.
-- Parameters: none
-- Columns: deal_id, pipeline, channel, cohort_at, step, reached_at
select deal_id, pipeline, channel, cohort_at, step, reached_at, from funnel_deal_steps
