-- One row per open stage of the pipeline that has stage history: how long deals stayed in it.
-- A stay starts at a deal_stages entry and ends at the deal's next entry (any stage), else at
-- closed_at for a won or lost deal; stays still going on are left out (queries/facts/fact_deal_stays.sql).
-- Cohort view: stays of the deals of the leads created in the period (a deal without a lead: by its
-- own created_at); cash view: stays that began in the period.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: stage, stays_n (finished stays), median_days, mean_days (days, fractional),
--   stage_position; in funnel order
with
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

-- the finished stays of the pipeline's deals: the fact fact_deal_stays (queries/facts/), which holds
-- the rule above
stays as (
    select
        s.stage,
        -- elapsed time, not a calendar difference: subtracting two instants would count a day that
        -- crosses a clock change in the connection's zone as 24 h (and is slow)
        (epoch_us(s.left_at) - epoch_us(s.entered_at)) / 86400000000.0 as days,
        epoch_us(s.left_at) - epoch_us(s.entered_at) as micros,
    from fact_deal_stays as s
    join pipe on s.pipeline = pipe.pipeline
    where (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
      and case when $view::varchar = 'cash' then s.entered_day between $from and $to
               else s.cohort_day between $from and $to end
),

final as (
    select
        os.stage,
        count(s.days) as stays_n,
        median(s.days) as median_days,
        -- the mean of exact durations, so the result does not depend on the order the rows are summed in
        sum(s.micros) / count(s.days) / 86400000000.0 as mean_days,
        os.position as stage_position,
    from open_stages as os
    join stays as s on s.stage = os.stage
    group by os.stage, os.position
)

select * from final order by stage_position, stage
