-- One row per open stage of the pipeline that has stage history: how long deals stayed in it.
-- A stay starts at a deal_stages entry and ends at the deal's next entry (any stage), else at
-- closed_at for a won or lost deal; stays still going on are left out.
-- Cohort view: stays of the deals of the leads created in the period (a deal without a lead: by its
-- own created_at); cash view: stays that began in the period.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: stage, stays_n (finished stays), median_days, mean_days (days, fractional),
--   stage_position; in funnel order
with
flt as (
    select $channels::varchar[] as channels,
),

pipe as (
    select coalesce(
        $pipeline::varchar,
        (select pipeline from default_pipeline),
        ''
    ) as pipeline,
),

open_stages as (
    select s.stage, s.position,
    from stages as s, pipe
    where s.pipeline = pipe.pipeline and s.kind = 'open'
),

deal_base as (
    select
        d.deal_id, d.status, d.closed_at,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_date,
    from deals as d
    join pipe on d.pipeline = pipe.pipeline
    left join leads as l on l.lead_id = d.lead_id
    cross join flt
    where (len(flt.channels) = 0 or list_contains(flt.channels, coalesce(l.channel, 'unknown')))
),

entries as (
    select
        ds.deal_id, ds.stage, ds.entered_at, b.cohort_date,
        coalesce(
            lead(ds.entered_at) over (partition by ds.deal_id order by ds.entered_at),
            case when b.status in ('won', 'lost') then b.closed_at end
        ) as left_at,
    from deal_stages as ds
    join deal_base as b on b.deal_id = ds.deal_id
),

stays as (
    select e.stage, epoch(e.left_at - e.entered_at) / 86400.0 as days,
        epoch_us(e.left_at) - epoch_us(e.entered_at) as micros,
    from entries as e
    where e.left_at is not null
      and e.left_at >= e.entered_at
      and case when $view::varchar = 'cash' then timezone($tz, e.entered_at)::date between $from and $to
               else e.cohort_date between $from and $to end
),

final as (
    select
        os.stage,
        count(s.days) as stays_n,
        median(s.days) as median_days,
        -- the mean from whole microseconds: a sum of integers is the same in any row order
        sum(s.micros) / count(s.micros) / 86400000000.0 as mean_days,
        os.position as stage_position,
    from open_stages as os
    join stays as s on s.stage = os.stage
    group by os.stage, os.position
)

select * from final order by stage_position, stage
