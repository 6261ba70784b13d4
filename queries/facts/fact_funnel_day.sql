-- Fact: deals reaching each funnel step, per business day × pipeline × channel, in both views
-- (METRICS.md "Deals and the funnel"; the rule of reaching a step is
-- the fact fact_deal_steps, queries/facts/fact_deal_steps.sql).
-- 'cohort': by the creation day of the deal's lead (a deal without a lead: its own creation day);
-- 'cash': by the day the deal reached the step. Each deal is on one row per step and view, so a
-- sum over days is the number of distinct deals. fullfunnel/facts.py keeps the table
-- `fact_funnel_day` equal to this query.
-- Parameters: $tz; $fact_deals (varchar[] or null): only the rows of these deals (null = every deal).
-- Columns: view ('cohort' or 'cash'), day, pipeline, channel, step, deals_n
select 'cohort' as view, timezone($tz, f.cohort_at)::date as day, f.pipeline, f.channel, f.step,
    count(*)::bigint as deals_n,
from fact_deal_steps as f
where $fact_deals::varchar[] is null or f.deal_id in (select unnest($fact_deals::varchar[]))
group by all
union all
select 'cash', timezone($tz, f.reached_at)::date, f.pipeline, f.channel, f.step, count(*)::bigint,
from fact_deal_steps as f
where $fact_deals::varchar[] is null or f.deal_id in (select unnest($fact_deals::varchar[]))
group by all
