-- Fact: one row per deal × funnel step it reached — the one definition of "reached stage k"
-- (METRICS.md "Deals and the funnel"), kept as a table so the funnel counts and the drill-down to
-- the deals behind a row do not recompute every deal's history:
--   won deal → every open stage and won; open deal → every open stage up to the furthest of
--   (stages entered in the history, its current stage); lost deal with history → every open stage
--   up to the furthest one it entered before being lost; lost deal without history (no deal_stages
--   rows at all) → the first stage only. Stage order is stages.position of the pipeline; a
--   pipeline without any open stage in `stages` has one step 'deals' (every deal).
-- reached_at: the earliest entry into the step or any later stage (won = closed_at); a deal
-- without history reached its steps when it was created.
-- A deal's rows depend only on its own deal and stage rows, its lead and the pipeline's stages, so
-- fullfunnel/facts.py keeps the table `fact_deal_steps` equal to this query deal by deal.
-- Parameters: $fact_deals (varchar[] or null): only these deals (null = every deal).
-- Columns: deal_id, pipeline, channel (the lead's; 'unknown' without a lead), cohort_at (the lead's
--   creation, else the deal's), step (a stage name, 'deals' or 'won'), reached_at
with
known_stages as (
    select s.pipeline, s.stage, s.position, s.kind, from stages as s
),

open_stages as (
    select pipeline, stage, position, from known_stages where kind = 'open'
    union all
    select p.pipeline, 'deals', 0,
    from (select distinct pipeline from deals) as p
    where not exists (select 1 from known_stages as k where k.pipeline = p.pipeline and k.kind = 'open')
),

bounds as (
    select pipeline, min(position) as first_pos, max(position) as last_pos, from open_stages group by pipeline
),

deal_base as (
    select
        d.deal_id, d.pipeline, d.created_at, d.status, d.stage, d.closed_at,
        coalesce(l.channel, 'unknown') as channel,
        coalesce(l.created_at, d.created_at) as cohort_at,
    from deals as d
    left join leads as l on l.lead_id = d.lead_id
    where $fact_deals::varchar[] is null or d.deal_id in (select unnest($fact_deals::varchar[]))
),

history as (
    select ds.deal_id, ds.entered_at, ks.kind, ks.position,
    from deal_stages as ds
    join deal_base as b on b.deal_id = ds.deal_id
    left join known_stages as ks on ks.pipeline = b.pipeline and ks.stage = ds.stage
),

deal_history as (
    select
        deal_id,
        max(position) filter (where kind = 'open') as max_open_pos,
        min(entered_at) filter (where kind = 'won') as won_entered_at,
    from history
    group by deal_id
),

deal_reach as (
    select
        b.*,
        h.deal_id is not null as has_history,
        case
            when b.status = 'won' then bd.last_pos
            when b.status = 'lost' and h.deal_id is null then bd.first_pos
            when b.status = 'lost' then coalesce(h.max_open_pos, bd.first_pos)
            else greatest(coalesce(h.max_open_pos, bd.first_pos), coalesce(cur.position, bd.first_pos))
        end as reached_pos,
        case when b.status = 'won' then coalesce(b.closed_at, h.won_entered_at, b.created_at) end as won_at,
    from deal_base as b
    join bounds as bd on bd.pipeline = b.pipeline
    left join deal_history as h on h.deal_id = b.deal_id
    left join open_stages as cur on cur.pipeline = b.pipeline and cur.stage = b.stage
),

-- dated moments a deal was at (or past) a position; the won moment is past every open stage
events as (
    select deal_id, position as pos, entered_at as event_at, from history where kind = 'open'
    union all
    select deal_id, 2147483647, entered_at, from history where kind = 'won'
    union all
    select deal_id, 2147483647, won_at, from deal_reach where won_at is not null
    union all
    select deal_id, reached_pos, created_at, from deal_reach where not has_history
)

select r.deal_id, r.pipeline, r.channel, r.cohort_at, s.stage as step,
    coalesce(min(e.event_at), r.created_at) as reached_at,
from deal_reach as r
join open_stages as s on s.pipeline = r.pipeline and s.position <= r.reached_pos
left join events as e on e.deal_id = r.deal_id and e.pos >= s.position
group by r.deal_id, r.pipeline, r.channel, r.cohort_at, s.stage, r.created_at
union all
select deal_id, pipeline, channel, cohort_at, 'won', won_at,
from deal_reach
where status = 'won'
