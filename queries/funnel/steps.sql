-- One row per full-funnel row (METRICS.md "Deals and the funnel"), top to bottom, for the whole
-- selection or per channel: impressions → clicks → sessions → leads → target leads → each open
-- stage of the pipeline → won. Rows whose kind of data was never imported are left out (not zero).
-- Marketing rows (impressions, clicks from spend; sessions from raw sessions, else daily traffic)
-- are counted by their own date in both views; impressions and clicks only from spend rows in
-- $currency (or without one), the rows whose spend the other pages show, as the ROI page counts them. Leads and target leads are leads created in the period.
-- Sessions, leads and deals are read from the facts fact_sessions_day, fact_leads_day and fact_funnel_day
-- (queries/facts/), day sums of the raw rows. Deal rows ("reached stage k", queries/facts/fact_deal_steps.sql):
--   won deal → every open stage and won; open deal → every open stage up to the furthest of
--   (stages entered in the history, its current stage); lost deal with history → every open stage
--   up to the furthest one it entered before being lost; lost deal without history (no deal_stages
--   rows at all) → the first stage only. Stage order is stages.position of the pipeline.
--   Cohort view: deals of the leads created in the period (a deal without a lead: by its own
--   created_at), wherever they are now. Cash view: a deal counts in stage k when the date it reached
--   k — its earliest entry into k or any later stage (won = closed_at) — falls in the period.
--   Without any open stage in `stages`, the deal rows are one row 'deals' (every deal) and 'won'.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $currency; $channels (varchar[]; empty =
--   all; a deal's channel is its lead's, 'unknown' without a lead); $view ('cohort' or 'cash');
--   $pipeline (varchar or null = the pipeline with most deals); $by_channel (boolean: one funnel per
--   channel active in the period instead of one for the selection); $reached_by (date or null; cohort
--   view only: count a deal in a step only when it reached it by that day — the comparison cohort
--   at the same age as this period's, fullfunnel/reports/cohorts.py).
-- Paid path: when the funnel shows ad rows (impressions or clicks), its sessions row is
--   'paid_sessions' — the sessions of the paid channels (a spend row in the period, in $currency or
--   without one: the channels whose clicks the clicks row counts) — and the other visits (organic,
--   direct, referral, channels without ad spend in the period) are their own entry 'other_sessions',
--   outside the chain (no conversion, no drop-off; shown only when there are any). The row after the
--   paid sessions comes from all visits: its previous count is paid + other sessions. Without ad
--   rows the sessions row is 'sessions', all visits.
-- Columns: channel (null unless $by_channel), step (impressions, clicks, sessions or paid_sessions and
--   other_sessions, leads, target_leads, a stage name or 'deals', won), side ('marketing' or 'sales'),
--   step_order (int; other_sessions shares 3 with paid_sessions and follows it),
--   count_n, step_conversion_pct (count / previous count × 100; null on the first row, when
--   the previous count is 0, and when the row is larger than its previous count — data that
--   disagree, e.g. more paid sessions than ad clicks), overall_conversion_pct (count / first shown
--   row × 100), drop_off_n (previous count − count; null on the first row and on a row larger than
--   its previous count, so a drop-off is never negative)
with
mode as (
    select $by_channel::boolean as by_channel, $view::varchar as view,
),

presence as (
    select
        exists (select 1 from leads) as has_leads,
        exists (select 1 from leads where qualification is not null) as has_qualification,
        exists (select 1 from deals) as has_deals,
        exists (select 1 from sessions) as raw_sessions,
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

ranked_stages as (
    select stage, position, row_number() over (order by position, stage) as stage_rank,
    from open_stages
),

-- marketing rows -------------------------------------------------------------------------------

spend_kinds as (
    select
        case when m.by_channel then s.channel else '' end as grp,
        bool_or(s.impressions is not null) as has_impressions,
        bool_or(s.clicks is not null) as has_clicks,
    from spend as s, mode as m
    where (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
    group by 1
),

spend_in as (
    select
        case when m.by_channel then s.channel else '' end as grp,
        coalesce(sum(s.impressions), 0)::bigint as impressions_n,
        coalesce(sum(s.clicks), 0)::bigint as clicks_n,
    from spend as s, mode as m
    where s.date between $from and $to
      and coalesce(s.currency, $currency) = $currency
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
    group by 1
),

sessions_kinds as (
    select distinct case when m.by_channel then s.channel else '' end as grp,
    from fact_sessions_day as s, mode as m
    where (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
    union
    select distinct case when m.by_channel then t.channel else '' end,
    from traffic as t, mode as m, presence as p
    where not p.raw_sessions
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], t.channel))
),

-- paid channels: the channels whose ad clicks the clicks row counts (a spend row in the period, in
-- $currency or without one); their sessions follow the clicks, every other visit is its own entry
paid_channels as (
    select distinct s.channel,
    from spend as s
    where s.date between $from and $to
      and coalesce(s.currency, $currency) = $currency
),

sessions_by_channel as (
    select s.channel, sum(s.sessions_n)::bigint as sessions_n,
    from fact_sessions_day as s
    where s.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
    group by 1
    union all
    select t.channel, sum(t.sessions)::bigint,
    from traffic as t, presence as p
    where not p.raw_sessions
      and t.date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], t.channel))
    group by 1
),

sessions_in as (
    select
        case when m.by_channel then s.channel else '' end as grp,
        sum(s.sessions_n)::bigint as sessions_n,
        coalesce(sum(s.sessions_n) filter (where s.channel in (select channel from paid_channels)), 0)::bigint
            as paid_n,
    from sessions_by_channel as s, mode as m
    group by 1
),

-- a group whose funnel shows ad rows (impressions or clicks) splits its sessions into the paid path
-- and the other visits; without ad rows its sessions are all visits
split as (
    select grp, from spend_kinds where has_impressions or has_clicks
),

-- leads ----------------------------------------------------------------------------------------

lead_counts as (
    select
        case when m.by_channel then l.channel else '' end as grp,
        sum(l.leads_n)::bigint as leads_n,
        sum(l.leads_n - l.junk_n)::bigint as target_n,
    from fact_leads_day as l, mode as m
    where l.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
    group by 1
),

-- deals: the deals that reached each step by the view's day (the rule is queries/facts/fact_deal_steps.sql)

deal_counts as (
    select
        case when m.by_channel then f.channel else '' end as grp,
        f.step,
        sum(f.deals_n)::bigint as deals_n,
    from fact_funnel_day as f, pipe, mode as m
    where f.pipeline = pipe.pipeline
      and f.view = case when m.view = 'cash' then 'cash' else 'cohort' end
      and f.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], f.channel))
      and $reached_by::date is null
    group by 1, 2
    union all
    -- a cohort at a given age: the deals of the period's leads that reached the step by $reached_by
    select
        case when m.by_channel then f.channel else '' end,
        f.step,
        count(*)::bigint,
    from fact_deal_steps as f, pipe, mode as m
    where $reached_by::date is not null
      and m.view <> 'cash'
      and f.pipeline = pipe.pipeline
      -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
      and f.cohort_at >= timezone('UTC', ($from::date - 2)::timestamp) and f.cohort_at < timezone('UTC', ($to::date + 3)::timestamp)
      and f.reached_at < timezone('UTC', ($reached_by::date + 3)::timestamp)
      and timezone($tz, f.cohort_at)::date between $from and $to
      and timezone($tz, f.reached_at)::date <= $reached_by::date
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], f.channel))
    group by 1, 2
),

-- assembling -----------------------------------------------------------------------------------

groups as (
    select '' as grp, from mode where not by_channel
    union
    select grp, from spend_in, mode where by_channel
    union
    select grp, from sessions_in, mode where by_channel
    union
    select grp, from lead_counts, mode where by_channel
    union
    select grp, from deal_counts, mode where by_channel
),

-- one row per group with every count the marketing rows need (each source read once)
counts as (
    select
        g.grp,
        coalesce(k.has_impressions, false) as has_impressions,
        coalesce(k.has_clicks, false) as has_clicks,
        sk.grp is not null as has_sessions,
        sp.grp is not null as is_split,
        coalesce(si.impressions_n, 0) as impressions_n,
        coalesce(si.clicks_n, 0) as clicks_n,
        coalesce(se.sessions_n, 0) as sessions_n,
        coalesce(se.paid_n, 0) as paid_n,
        coalesce(lc.leads_n, 0) as leads_n,
        coalesce(lc.target_n, 0) as target_n,
    from groups as g
    left join spend_kinds as k on k.grp = g.grp
    left join spend_in as si on si.grp = g.grp
    left join sessions_kinds as sk on sk.grp = g.grp
    left join split as sp on sp.grp = g.grp
    left join sessions_in as se on se.grp = g.grp
    left join lead_counts as lc on lc.grp = g.grp
),

marketing_steps as (
    select 'impressions' as step, 1 as step_order
    union all select 'clicks', 2
    union all select 'sessions', 3
    union all select 'paid_sessions', 3
    -- not a row of the chain: the visits that did not follow an ad click, shown beside it
    union all select 'other_sessions', 3
    union all select 'leads', 4
    union all select 'target_leads', 5
),

sales_steps as (
    select stage as step, 10 + stage_rank::integer as step_order, from ranked_stages
    union all
    select 'won', 1000000
),

step_rows as (
    select c.grp, s.step, 'marketing' as side, s.step_order::integer as step_order,
        case s.step
            when 'impressions' then c.impressions_n
            when 'clicks' then c.clicks_n
            when 'sessions' then c.sessions_n
            when 'paid_sessions' then c.paid_n
            when 'other_sessions' then c.sessions_n - c.paid_n
            when 'leads' then c.leads_n
            else c.target_n
        end as count_n,
    from counts as c
    cross join presence as p
    cross join marketing_steps as s
    where case s.step
        when 'impressions' then c.has_impressions
        when 'clicks' then c.has_clicks
        when 'sessions' then c.has_sessions and not c.is_split
        when 'paid_sessions' then c.has_sessions and c.is_split
        when 'other_sessions' then c.has_sessions and c.is_split and c.sessions_n > c.paid_n
        when 'leads' then p.has_leads
        else p.has_leads and p.has_qualification
    end
    union all
    select g.grp, s.step, 'sales', s.step_order::integer, coalesce(dc.deals_n, 0),
    from groups as g
    cross join presence as p
    cross join sales_steps as s
    left join deal_counts as dc on dc.grp = g.grp and dc.step = s.step
    where p.has_deals
),

-- the chain: every row but the other visits (an entry of their own, outside it: no conversion, no
-- drop-off); the row after the paid sessions (leads, as a rule) comes from all visits, so its
-- previous count is the paid sessions plus the other visits
chain as (
    select
        r.grp, r.step, r.side, r.step_order, r.count_n,
        r.step = 'other_sessions' as entry,
        lag(r.count_n) over w
            + case when lag(r.step) over w = 'paid_sessions' then coalesce(r.other_n, 0) else 0 end as prev_n,
        first_value(r.count_n) over w as first_n,
    from (
        select *, max(case when step = 'other_sessions' then count_n end) over (partition by grp) as other_n,
        from step_rows
    ) as r
    window w as (partition by r.grp, r.step = 'other_sessions' order by r.step_order)
),

final as (
    select
        case when m.by_channel then c.grp end as channel,
        c.step,
        c.side,
        c.step_order,
        c.count_n::bigint as count_n,
        -- a row larger than its previous count (data that disagree, e.g. analytics counting more paid
        -- sessions than the ad reports count clicks) is not a part of it: no conversion, no drop-off
        case when not c.entry and c.count_n <= c.prev_n then 100.0 * c.count_n / nullif(c.prev_n, 0) end
            as step_conversion_pct,
        case when not c.entry then 100.0 * c.count_n / nullif(c.first_n, 0) end as overall_conversion_pct,
        case when not c.entry and c.count_n <= c.prev_n then (c.prev_n - c.count_n)::bigint end as drop_off_n,
        c.entry::integer as entry_order,
    from chain as c, mode as m
)

select * exclude (entry_order) from final order by channel nulls first, step_order, entry_order
