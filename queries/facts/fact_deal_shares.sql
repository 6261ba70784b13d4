-- Fact: the share of each won deal every attribution model gives each channel and campaign
-- (METRICS.md "Attribution"), for every won deal whatever its date — the rule the ROI page applies:
--   last_non_direct  the lead's own channel unless it is 'direct'; then the client's most recent
--                    earlier touch within 90 days whose channel is neither 'direct' nor 'unknown'
--                    (none: stays direct);
--   first            the client's earliest touch up to the lead (ties: the lead itself, then leads
--                    before sessions);
--   linear           an equal share to each distinct channel the client touched in the 90 days up
--                    to the lead; a channel's share is split equally over its distinct campaigns.
-- A client's touches are their leads (leads.client_id) and the sessions of the visitors those
-- leads name; the won deal's own lead is always one of them. Deals without a lead have channel
-- 'unknown', touched at the deal's creation. fullfunnel/facts.py keeps the table
-- `fact_deal_shares` equal to this query.
-- A deal's rows depend only on its own deal row, its lead and its client's leads and sessions.
-- Parameters: $fact_deals (varchar[] or null): only these deals (null = every deal).
-- Columns: model, deal_id, channel, campaign ('' when none), share (the model's shares of a deal add up to 1)
with
won_in as (
    select
        d.deal_id,
        coalesce(d.client_id, l.client_id) as client_id,
        l.lead_id,
        coalesce(l.channel, 'unknown') as own_channel,
        coalesce(l.campaign, '') as own_campaign,
        coalesce(l.created_at, d.created_at) as anchor_at,
    from deals as d
    left join leads as l on l.lead_id = d.lead_id
    where d.status = 'won'
      and ($fact_deals::varchar[] is null or d.deal_id in (select unnest($fact_deals::varchar[])))
),

won_clients as (
    select distinct w.client_id, from won_in as w where w.client_id is not null
),

client_visitors as (
    select distinct l.visitor_id, l.client_id,
    from leads as l
    semi join won_clients as wc on wc.client_id = l.client_id
    where l.visitor_id is not null
),

touches as (
    select
        l.client_id,
        l.created_at as touched_at,
        0 as kind_order,
        l.lead_id as touch_id,
        l.channel,
        coalesce(l.campaign, '') as campaign,
    from leads as l
    semi join won_clients as wc on wc.client_id = l.client_id
    union all
    select
        vc.client_id,
        s.started_at,
        1,
        s.session_id,
        s.channel,
        coalesce(s.campaign, ''),
    from sessions as s
    inner join client_visitors as vc on vc.visitor_id = s.visitor_id
),

-- ------------------------------------------------------------------ attribution

deal_touches as (
    select
        w.deal_id,
        t.channel,
        t.campaign,
        t.touched_at,
        t.kind_order,
        t.touch_id,
        false as is_own,
        t.touched_at >= w.anchor_at - interval 90 day as in_window,
    from won_in as w
    inner join touches as t on t.client_id = w.client_id
    where t.touched_at <= w.anchor_at
      and not (t.kind_order = 0 and t.touch_id = w.lead_id)
    union all
    select w.deal_id, w.own_channel, w.own_campaign, w.anchor_at, -1, '', true, true,
    from won_in as w
),

first_touch as (
    select deal_id, channel, campaign, 1.0::double as share,
    from (
        select
            dt.*,
            row_number() over (
                partition by dt.deal_id order by dt.touched_at, dt.kind_order, dt.touch_id
            ) as rn,
        from deal_touches as dt
    )
    where rn = 1
),

last_non_direct_candidates as (
    select
        dt.deal_id,
        dt.channel,
        dt.campaign,
        row_number() over (
            partition by dt.deal_id order by dt.touched_at desc, dt.kind_order, dt.touch_id
        ) as rn,
    from deal_touches as dt
    inner join won_in as w on w.deal_id = dt.deal_id
    where w.own_channel = 'direct'
      and not dt.is_own
      and dt.in_window
      and dt.channel not in ('direct', 'unknown')
),

last_non_direct as (
    select
        w.deal_id,
        coalesce(c.channel, w.own_channel) as channel,
        case when c.channel is null then w.own_campaign else c.campaign end as campaign,
        1.0::double as share,
    from won_in as w
    left join last_non_direct_candidates as c on c.deal_id = w.deal_id and c.rn = 1
),

linear_touches as (
    select distinct dt.deal_id, dt.channel, dt.campaign,
    from deal_touches as dt
    where dt.in_window
),

linear as (
    select
        lt.deal_id,
        lt.channel,
        lt.campaign,
        1.0 / count(distinct lt.channel) over (partition by lt.deal_id)
            / count(*) over (partition by lt.deal_id, lt.channel) as share,
    from linear_touches as lt
),

shares as (
    select 'last_non_direct' as model, a.*, from last_non_direct as a
    union all
    select 'first', a.*, from first_touch as a
    union all
    select 'linear', a.*, from linear as a
)

select model, deal_id, channel, campaign, share from shares
