-- One row per lead or deal counted in one funnel step (the drill-down behind a funnel row), with the
-- same rules as funnel/steps.sql (read its header for "reached stage k", cohort and cash view).
-- Steps: leads, target_leads, junk (non-target leads), an open stage name (or 'deals' when no stages
-- are imported), won, lost (lost deals: cohort view — of the period's leads; cash view — closed in
-- the period). Impressions, clicks and sessions are aggregates and have no items.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals);
--   $step (varchar).
-- Columns: item_id, item_type ('lead' or 'deal'), created_date (date, business zone), step_date
--   (date the item reached this step: lead created, stage reached, deal won or lost), channel,
--   campaign, manager, amount (deal amount, in its own currency), currency, stage (the deal's
--   current stage; for the lost step, the stage where it was lost — null when unknown), status
--   (deal status or lead qualification), reason (junk reason or lost reason)
with
flt as (
    select $channels::varchar[] as channels,
),

mode as (
    select $view::varchar as view, $step::varchar as step,
),

pipe as (
    select coalesce(
        $pipeline::varchar,
        (select pipeline from default_pipeline),
        ''
    ) as pipeline,
),

known_stages as (
    select s.stage, s.position, s.kind,
    from stages as s, pipe
    where s.pipeline = pipe.pipeline
),

open_stages as (
    select stage, position, from known_stages where kind = 'open'
    union all
    select 'deals', 0,
    where not exists (select 1 from known_stages where kind = 'open')
),

-- leads ----------------------------------------------------------------------------------------

lead_items as (
    select
        l.lead_id as item_id,
        'lead' as item_type,
        timezone($tz, l.created_at)::date as created_date,
        timezone($tz, l.created_at)::date as step_date,
        l.channel, l.campaign, l.manager,
        null::decimal(18, 2) as amount, null::varchar as currency, null::varchar as stage,
        l.qualification as status, l.junk_reason as reason,
    from leads as l, flt, mode as m
    where m.step in ('leads', 'target_leads', 'junk')
      and timezone($tz, l.created_at)::date between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, l.channel))
      and case m.step
          when 'target_leads' then l.qualification is distinct from 'junk'
          when 'junk' then l.qualification = 'junk'
          else true
      end
),

-- deals ----------------------------------------------------------------------------------------

deal_base as (
    select
        d.deal_id, d.created_at, d.status, d.stage, d.closed_at, d.amount, d.currency, d.lost_reason,
        coalesce(d.manager, l.manager) as manager,
        coalesce(l.channel, 'unknown') as channel,
        l.campaign,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_date,
    from deals as d
    join pipe on d.pipeline = pipe.pipeline
    left join leads as l on l.lead_id = d.lead_id
    cross join flt
    where (len(flt.channels) = 0 or list_contains(flt.channels, coalesce(l.channel, 'unknown')))
),

-- the stage a lost deal was lost at: its last open stage in the history, else its current stage
lost_history as (
    select
        ds.deal_id,
        arg_max(ds.stage, (ds.entered_at, ks.position)) filter (where ks.kind = 'open') as last_open_stage,
    from deal_stages as ds
    join deal_base as b on b.deal_id = ds.deal_id and b.status = 'lost'
    left join known_stages as ks on ks.stage = ds.stage
    group by ds.deal_id
),

-- the steps each deal reached and when: the fact fact_deal_steps (queries/facts/fact_deal_steps.sql)
deal_steps as (
    select f.deal_id, f.step, b.stage, f.reached_at,
    from fact_deal_steps as f
    join deal_base as b on b.deal_id = f.deal_id
    cross join mode as m
    where f.step = m.step
    union all
    select b.deal_id, 'lost', case when h.deal_id is not null then h.last_open_stage else cur.stage end,
        coalesce(b.closed_at, b.created_at),
    from deal_base as b
    left join lost_history as h on h.deal_id = b.deal_id
    left join open_stages as cur on cur.stage = b.stage
    where b.status = 'lost'
),

deal_items as (
    select
        r.deal_id as item_id,
        'deal' as item_type,
        timezone($tz, r.created_at)::date as created_date,
        timezone($tz, ds.reached_at)::date as step_date,
        r.channel, r.campaign, r.manager, r.amount, r.currency,
        ds.stage,
        r.status,
        r.lost_reason as reason,
    from deal_steps as ds
    join deal_base as r on r.deal_id = ds.deal_id
    cross join mode as m
    where ds.step = m.step
      and case
          when m.view = 'cash' then timezone($tz, ds.reached_at)::date between $from and $to
          else r.cohort_date between $from and $to
      end
),

final as (
    select * from lead_items
    union all
    select * from deal_items
)

select * from final order by step_date, item_id
