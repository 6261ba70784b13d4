-- Channel leaderboard (METRICS.md "Channels", "Leads", "Clients, revenue, money"), cash view:
-- one row per channel — or per channel × campaign when $by_campaign — with anything in the period.
-- Leads counted on created_at, under their own channel; spend on its date; revenue = won deals by
-- closed_at, credited by the default attribution model (METRICS.md "Attribution", last non-direct
-- touch, the same rule as queries/roi/channel_campaign_roi.sql): the channel/campaign of the deal's
-- lead, unless it is 'direct' — then the client's most recent earlier lead or session within 90
-- days of that lead whose channel is neither 'direct' nor 'unknown' ('unknown' without a lead);
-- a new client = a client whose first won deal or first order (ever) falls in the period, credited
-- the same way (an order: its own channel, else its deal's credited channel).
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[];
--   empty = all); $currency (other currencies left out, null currency counts as $currency);
--   $by_campaign (boolean).
-- Columns: channel, campaign ('' = no campaign; '' for every row unless $by_campaign), leads,
--   target_leads, junk_leads, junk_pct, spend (in $currency), cpl, target_cpl, new_clients,
--   cac (cost per new client), won_deals, revenue (in $currency), romi_pct,
--   lead_to_client_pct (new clients / leads)
with
leads_in as (
    select
        l.channel,
        case when $by_campaign then l.campaign else '' end as campaign,
        sum(l.leads_n)::bigint as leads_n,
        sum(l.junk_n)::bigint as junk_n,
    from fact_leads_day as l
    where l.day between $from and $to
    group by all
),

spend_in as (
    select
        s.channel,
        case when $by_campaign then s.campaign else '' end as campaign,
        sum(s.spend)::double as spend_amount,
    from spend as s
    where s.date between $from and $to
      and coalesce(s.currency, $currency) = $currency
    group by all
),

-- won deals by the day they closed, credited by the default model: the fact fact_won_day (queries/facts/)
won_in as (
    select
        w.channel,
        case when $by_campaign then w.campaign else '' end as campaign,
        sum(w.won_n)::bigint as won_n,
        coalesce(sum(w.amount) filter (where coalesce(w.currency, $currency) = $currency), 0)::double
            as revenue_amount,
    from fact_won_day as w
    where w.day between $from and $to
    group by all
),

-- new clients by the day of their first purchase, credited the same way: the fact
-- fact_new_clients_day (queries/facts/)
new_clients_in as (
    select
        n.channel,
        case when $by_campaign then n.campaign else '' end as campaign,
        sum(n.new_clients_n)::bigint as new_clients_n,
    from fact_new_clients_day as n
    where n.day between $from and $to
    group by all
),

keys as (
    select channel, campaign from leads_in
    union select channel, campaign from spend_in
    union select channel, campaign from won_in
    union select channel, campaign from new_clients_in
),

final as (
    select
        k.channel,
        k.campaign,
        coalesce(l.leads_n, 0)::bigint as leads,
        coalesce(l.leads_n - l.junk_n, 0)::bigint as target_leads,
        coalesce(l.junk_n, 0)::bigint as junk_leads,
        100.0 * l.junk_n / nullif(l.leads_n, 0) as junk_pct,
        coalesce(s.spend_amount, 0)::double as spend,
        s.spend_amount / nullif(l.leads_n, 0) as cpl,
        s.spend_amount / nullif(l.leads_n - l.junk_n, 0) as target_cpl,
        coalesce(n.new_clients_n, 0)::bigint as new_clients,
        s.spend_amount / nullif(n.new_clients_n, 0) as cac,
        coalesce(w.won_n, 0)::bigint as won_deals,
        coalesce(w.revenue_amount, 0)::double as revenue,
        100.0 * (coalesce(w.revenue_amount, 0) - s.spend_amount) / nullif(s.spend_amount, 0) as romi_pct,
        100.0 * coalesce(n.new_clients_n, 0) / nullif(l.leads_n, 0) as lead_to_client_pct,
    from keys as k
    left join leads_in as l on l.channel = k.channel and l.campaign = k.campaign
    left join spend_in as s on s.channel = k.channel and s.campaign = k.campaign
    left join won_in as w on w.channel = k.channel and w.campaign = k.campaign
    left join new_clients_in as n on n.channel = k.channel and n.campaign = k.campaign
    where len($channels::varchar[]) = 0 or list_contains($channels::varchar[], k.channel)
)

select * from final order by leads desc, spend desc, channel, campaign
