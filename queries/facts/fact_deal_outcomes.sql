-- Fact: one row per deal with what the funnel's notes and lost-deal table read of it, so they do
-- not convert every deal's dates or read its stage history again (METRICS.md "Deals and the funnel"):
--   channel: its lead's ('unknown' without a lead); has_history: it has deal_stages rows;
--   cohort_day: the business day its lead was created (a deal without a lead: its own creation);
--   closed_day: the business day it was closed (not closed: created);
--   lost_stage (lost deals): with stage history, the open stage of its pipeline it entered last
--     (ties: the later stage), null when it entered none; without history, its current stage when
--     that is an open stage of its pipeline, else null (unknown);
--   lost_reason: null when none was given.
-- A deal's row depends only on its own deal and stage rows, its lead and the pipeline's stages, so
-- fullfunnel/facts.py keeps the table `fact_deal_outcomes` equal to this query deal by deal.
-- Parameters: $tz; $fact_deals (varchar[] or null): only these deals (null = every deal).
-- Columns: deal_id, pipeline, status, channel, has_history, cohort_day, closed_day, lost_stage,
--   lost_reason
with
open_stages as (
    select s.pipeline, s.stage, s.position, from stages as s where s.kind = 'open'
),

deal_base as (
    select
        d.deal_id, d.pipeline, d.status, d.stage,
        coalesce(l.channel, 'unknown') as channel,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_day,
        timezone($tz, coalesce(d.closed_at, d.created_at))::date as closed_day,
        nullif(trim(d.lost_reason), '') as lost_reason,
    from deals as d
    left join leads as l on l.lead_id = d.lead_id
    where $fact_deals::varchar[] is null or d.deal_id in (select unnest($fact_deals::varchar[]))
),

history as (
    select
        ds.deal_id,
        arg_max(ds.stage, (ds.entered_at, os.position)) filter (where os.position is not null) as last_open_stage,
    from deal_stages as ds
    join deal_base as b on b.deal_id = ds.deal_id
    left join open_stages as os on os.pipeline = b.pipeline and os.stage = ds.stage
    group by ds.deal_id
)

select
    b.deal_id, b.pipeline, b.status, b.channel,
    h.deal_id is not null as has_history,
    b.cohort_day, b.closed_day,
    case
        when b.status <> 'lost' then null
        when h.deal_id is not null then h.last_open_stage
        else cur.stage
    end as lost_stage,
    b.lost_reason,
from deal_base as b
left join history as h on h.deal_id = b.deal_id
left join open_stages as cur on cur.pipeline = b.pipeline and cur.stage = b.stage
