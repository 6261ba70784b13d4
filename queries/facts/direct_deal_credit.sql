-- Fact: the channel and campaign the default attribution model (METRICS.md "Attribution", last
-- non-direct touch) credits a won deal with, for won deals whose lead came in 'direct' and that have
-- an earlier non-direct touch: the client's most recent lead or session (not the deal's own lead)
-- within the 90 days up to that lead whose channel is neither 'direct' nor 'unknown'. Deals without
-- a row keep their lead's channel. Shared by the Overview, Channels and Marketer KPIs queries (the
-- ROI page's queries/roi/channel_campaign_roi.sql applies the same rule next to its other models).
-- fullfunnel/facts.py keeps the table `direct_deal_credit` equal to this query.
-- A deal's row depends only on its own deal row, its lead and its client's leads and sessions.
-- Parameters: $fact_deals (varchar[] or null): only these deals (null = every deal).
-- Columns: deal_id, channel, campaign ('' when the touch had none)
with
direct_won as (
    select d.deal_id, l.lead_id, l.created_at as anchor_at, coalesce(d.client_id, l.client_id) as client_id,
    from deals as d
    join leads as l on l.lead_id = d.lead_id
    where d.status = 'won' and l.channel = 'direct' and coalesce(d.client_id, l.client_id) is not null
      and ($fact_deals::varchar[] is null or d.deal_id in (select unnest($fact_deals::varchar[])))
),

client_visitors as (
    select distinct l.client_id, l.visitor_id,
    from leads as l
    semi join direct_won as w on w.client_id = l.client_id
    where l.visitor_id is not null
),

touches as (
    select l.client_id, l.created_at as touched_at, 0 as kind_order, l.lead_id as touch_id, l.channel,
        coalesce(l.campaign, '') as campaign,
    from leads as l
    semi join direct_won as w on w.client_id = l.client_id
    union all
    select cv.client_id, s.started_at, 1, s.session_id, s.channel, coalesce(s.campaign, ''),
    from sessions as s
    join client_visitors as cv on cv.visitor_id = s.visitor_id
),

ranked as (
    select
        w.deal_id, t.channel, t.campaign,
        row_number() over (
            partition by w.deal_id order by t.touched_at desc, t.kind_order, t.touch_id
        ) as rn,
    from direct_won as w
    join touches as t on t.client_id = w.client_id
    where t.touched_at <= w.anchor_at
      and t.touched_at >= w.anchor_at - interval 90 day
      and t.channel not in ('direct', 'unknown')
      and not (t.kind_order = 0 and t.touch_id = w.lead_id)
)

select deal_id, channel, campaign from ranked where rn = 1
