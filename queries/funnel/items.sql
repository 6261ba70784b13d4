-- One row per lead or deal counted in one funnel step (the drill-down behind a funnel row), with the
-- same rules as funnel/steps.sql (read its header for "reached stage k", cohort and cash view).
-- Steps: leads, target_leads, junk (non-target leads), an open stage name (or 'deals' when no stages
-- are imported), won, lost (lost deals: cohort view — of the period's leads; cash view — closed in
-- the period). Impressions, clicks and sessions are aggregates and have no items.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals);
--   $step (varchar); $limit, $offset (bigint: the rows of one page).
-- Columns: item_id, item_type ('lead' or 'deal'), created_date (date, business zone), step_date
--   (date the item reached this step: lead created, stage reached, deal won or lost), channel,
--   campaign, manager, amount (deal amount, in its own currency), currency, stage (the deal's
--   current stage; for the lost step, the stage where it was lost — null when unknown), status
--   (deal status or lead qualification), reason (junk reason or lost reason); rows_total (rows of
--   the whole list), has_campaign … has_reason (the column has a value in some row of the list)
with
pipe as (
    select coalesce(
        $pipeline::varchar,
        (select pipeline from default_pipeline),
        ''
    ) as pipeline,
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
    from leads as l
    where $step::varchar in ('leads', 'target_leads', 'junk')
      -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
      and l.created_at >= timezone('UTC', ($from::date - 2)::timestamp) and l.created_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, l.created_at)::date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
      and case $step::varchar
          when 'target_leads' then l.qualification is distinct from 'junk'
          when 'junk' then l.qualification = 'junk'
          else true
      end
),

-- deals ----------------------------------------------------------------------------------------

-- the deals of the pipeline in the step and the day they got there: for a stage or won, the fact
-- fact_deal_steps (queries/facts/fact_deal_steps.sql), by the day the deal reached the step; for
-- lost, the fact fact_deal_outcomes (queries/facts/fact_deal_outcomes.sql), by the day the deal was
-- closed, with the stage where it was lost (its last open stage in the history, else its current
-- stage when that is an open stage; null when unknown)
reached as (
    select f.deal_id, f.channel, false as lost, null::varchar as lost_stage, null::boolean as has_history,
        timezone($tz, f.reached_at)::date as step_date,
    from fact_deal_steps as f, pipe
    where f.step = $step::varchar
      and f.pipeline = pipe.pipeline
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], f.channel))
      and case
          when $view::varchar = 'cash' then f.reached_at >= timezone('UTC', ($from::date - 2)::timestamp)
               and f.reached_at < timezone('UTC', ($to::date + 3)::timestamp)
               and timezone($tz, f.reached_at)::date between $from and $to
          else f.cohort_at >= timezone('UTC', ($from::date - 2)::timestamp)
               and f.cohort_at < timezone('UTC', ($to::date + 3)::timestamp)
               and timezone($tz, f.cohort_at)::date between $from and $to
      end
    union all
    select o.deal_id, o.channel, true, o.lost_stage, o.has_history, o.closed_day,
    from fact_deal_outcomes as o, pipe
    where $step::varchar = 'lost'
      and o.status = 'lost'
      and o.pipeline = pipe.pipeline
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], o.channel))
      and case when $view::varchar = 'cash' then o.closed_day else o.cohort_day end between $from and $to
),

deal_items as (
    select
        d.deal_id as item_id,
        'deal' as item_type,
        timezone($tz, d.created_at)::date as created_date,
        r.step_date,
        r.channel, l.campaign, coalesce(d.manager, l.manager) as manager, d.amount, d.currency,
        case
            when not r.lost then d.stage
            when r.lost_stage is not null then r.lost_stage
            -- a pipeline without open stages is one row 'deals': a deal without history lost there
            when not r.has_history and d.stage = 'deals'
                 and not exists (select 1 from stages as s, pipe where s.pipeline = pipe.pipeline and s.kind = 'open')
                 then 'deals'
        end as stage,
        d.status,
        d.lost_reason as reason,
    from reached as r
    join deals as d on d.deal_id = r.deal_id
    left join leads as l on l.lead_id = d.lead_id
),

final as (
    select * from lead_items
    union all
    select * from deal_items
)

-- one page of the list in that order ($limit rows after the first $offset), with the length of the
-- whole list and whether any row of it has each column that can be empty
select
    *,
    count(*) over () as rows_total,
    count(campaign) over () > 0 as has_campaign,
    count(manager) over () > 0 as has_manager,
    count(amount) over () > 0 as has_amount,
    count(currency) over () > 0 as has_currency,
    count(stage) over () > 0 as has_stage,
    count(status) over () > 0 as has_status,
    count(reason) over () > 0 as has_reason,
from final
order by step_date, item_id
limit $limit offset $offset
