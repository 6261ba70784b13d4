-- End-to-end ROI ("сквозная аналитика"): one row per channel (or channel × campaign when
-- $by = 'campaign'), per bucket of $grain when $bucketed (else one bucket starting at $from),
-- plus one row per bucket with channel 'total' whose additive columns are the sums of the rows and
-- whose ratios are computed from those sums. $bucketed and $whole: the rows of the whole period too
-- (is_whole, bucket $from), after the buckets' — the ROI page's table and its trend in one run.
--
-- Spend, impressions, clicks count on their own date; sessions on their start; leads on their
-- creation, under their own channel (sessions and leads from the day facts fact_sessions_day and
-- fact_leads_day, queries/facts/). Won deals, new clients, revenue and gross profit are
-- attributed by $attribution (METRICS.md "Attribution"):
--   last_non_direct  the lead's own channel unless it is 'direct'; then the client's most recent
--                    earlier touch within 90 days whose channel is neither 'direct' nor 'unknown'
--                    (none: stays direct);
--   first            the client's earliest touch up to the lead (ties: the lead itself, then leads
--                    before sessions);
--   linear           an equal share to each distinct channel the client touched in the 90 days up
--                    to the lead; a channel's share is split equally over its distinct campaigns,
--                    so campaign rows always add up to their channel row.
-- A client's touches are their leads (leads.client_id) and the sessions of the visitors those
-- leads name (sessions.visitor_id = leads.visitor_id); the won deal's own lead is always one of
-- them, so with no history every model gives the lead's own channel. Deals without a lead have
-- channel 'unknown', touched at the deal's creation.
-- Deals count by $view: 'cohort' = won deals whose lead was created in the period (lead-less
-- deals: deal created in the period); 'cash' = won deals closed in the period. $won_by (date or
-- null): only deals won (closed) by that day count — the comparison cohort at the same age as this
-- period's (fullfunnel/reports/cohorts.py); null = every won deal.
-- Gross profit of a deal = revenue − cost of goods: the summed cost of its orders (orders.deal_id;
-- an order line without cost counts at its revenue × (1 − $margin_pct / 100)); deals without
-- orders: revenue × $margin_pct / 100.
-- New client: the deal is the client's first won deal and no order of theirs came earlier.
--
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $grain ('day', 'week',
--   'month'; whitelisted by the caller); $bucketed (boolean); $whole (boolean); $by ('channel' | 'campaign');
--   $attribution ('last_non_direct' | 'first' | 'linear'); $view ('cohort' | 'cash');
--   $margin_pct (double, 0…100); $channels (varchar[]; empty = all; applied to the row's channel);
--   $currency (money in other currencies is left out: a spend row in another currency with its
--   impressions and clicks too, so CPC and CTR stay consistent; a deal's amount and an order's
--   cost — the deal still counts as won; rows without a currency count as $currency).
-- Columns: bucket (date), channel, campaign ('' when $by = 'channel'), spend ($currency),
--   impressions, clicks, ctr_pct, cpc ($currency), sessions, leads, target_leads,
--   won_deals (attributed; fractional under linear), new_clients (same), revenue ($currency),
--   gross_profit ($currency), cpl, cpo, cac ($currency), romi_pct, profit_romi_pct, roas (ratio),
--   drr_pct — every money ratio null when the row has no spend (organic: nothing to pay back) or its
--   denominator is 0; is_total (boolean); is_whole (boolean: a row of the whole period)
with
opt as (
    select
        $by::varchar as by_level,
        $attribution::varchar as model,
        $view::varchar as view_kind,
        $bucketed::boolean as bucketed,
        $bucketed::boolean and $whole::boolean as whole,
        $grain::varchar as grain,
        $from::date as from_day,
        $to::date as to_day,
        $margin_pct::double / 100.0 as margin,
),

-- ------------------------------------------------------------------ won deals in the period

deal_orders as (
    select
        o.deal_id,
        sum(coalesce(o.cost::double, o.revenue::double * (1 - opt.margin))) as cogs_amount,
    from orders as o, opt
    where o.deal_id is not null
      and coalesce(o.currency, $currency) = $currency
    group by o.deal_id
),

won_all as (
    select
        w.deal_id,
        w.closed_at,
        w.client_key,
        w.client_id,
        case when opt.view_kind = 'cohort' then w.cohort_day else w.closed_day end as day,
        case when coalesce(w.currency, $currency) = $currency then coalesce(w.amount, 0)::double else 0 end
            as revenue_amount,
        coalesce(w.currency, $currency) = $currency as in_currency,
        row_number() over (partition by w.client_key order by w.closed_at nulls last, w.deal_id)
            as client_deal_n,
    -- the won deals with their clients and days, from the fact fact_won_deals (queries/facts/)
    from fact_won_deals as w
    cross join opt
    -- a cohort at a given age: only the deals won by $won_by (fullfunnel/reports/cohorts.py); a
    -- client's deals are numbered in closing order, so leaving out the later ones renumbers none
    where ($won_by::date is null or w.closed_day <= $won_by::date)
),

won_in as (
    select
        w.*,
        case
            when not w.in_currency then 0.0
            when o.deal_id is not null then w.revenue_amount - o.cogs_amount
            else w.revenue_amount * opt.margin
        end as profit_amount,
        (
            w.client_deal_n = 1
            and not exists (
                select 1 from orders as o2
                where o2.client_id = w.client_id
                  and o2.ordered_at < w.closed_at
                  and o2.deal_id is distinct from w.deal_id
            )
        ) as is_new_client,
    from won_all as w
    cross join opt
    left join deal_orders as o on o.deal_id = w.deal_id
    where w.day between opt.from_day and opt.to_day
),

-- ------------------------------------------------------------------ attribution

-- each won deal's shares under the chosen model, from the fact fact_deal_shares (its definition,
-- queries/facts/fact_deal_shares.sql, is the rule above)
shares as (
    select a.deal_id, a.channel, a.campaign, a.share,
    from fact_deal_shares as a, opt
    where a.model = opt.model
),

-- ------------------------------------------------------------------ facts, one row per source row

spend_facts as (
    select
        s.date as day,
        s.channel,
        s.campaign,
        s.spend as spend_amount,               -- decimal: sums stay exact to the kopeck
        coalesce(s.impressions, 0) as impressions_n,
        coalesce(s.clicks, 0) as clicks_n,
    from spend as s, opt
    where s.date between opt.from_day and opt.to_day
      and coalesce(s.currency, $currency) = $currency
),

has_sessions as (
    select count(*) > 0 as yes, from sessions
),

session_facts as (
    select s.day, s.channel, s.campaign, s.sessions_n,
    from fact_sessions_day as s, opt
    where s.day between opt.from_day and opt.to_day
    union all
    -- daily aggregates stand in only when no raw sessions were imported
    select
        t.date,
        coalesce(nullif(t.channel, ''), 'unknown'),
        t.campaign,
        t.sessions,
    from traffic as t, opt, has_sessions as h
    where not h.yes
      and t.date between opt.from_day and opt.to_day
),

lead_facts as (
    select l.day, l.channel, l.campaign, l.leads_n, l.leads_n - l.junk_n as target_n,
    from fact_leads_day as l, opt
    where l.day between opt.from_day and opt.to_day
),

deal_facts as (
    select
        w.day,
        sh.channel,
        sh.campaign,
        sh.share as won_n,
        case when w.is_new_client then sh.share else 0 end as new_clients_n,
        sh.share * w.revenue_amount as revenue_amount,
        sh.share * w.profit_amount as profit_amount,
    from won_in as w
    inner join shares as sh on sh.deal_id = w.deal_id
),

facts as (
    select day, channel, campaign, spend_amount, impressions_n, clicks_n,
        0 as sessions_n, 0 as leads_n, 0 as target_n,
        0.0 as won_n, 0.0 as new_clients_n, 0.0 as revenue_amount, 0.0 as profit_amount,
    from spend_facts
    union all
    select day, channel, campaign, 0::decimal(18, 2), 0, 0, sessions_n, 0, 0, 0, 0, 0, 0, from session_facts
    union all
    select day, channel, campaign, 0, 0, 0, 0, leads_n, target_n, 0, 0, 0, 0, from lead_facts
    union all
    select day, channel, campaign, 0, 0, 0, 0, 0, 0, won_n, new_clients_n, revenue_amount, profit_amount,
    from deal_facts
),

keyed as (
    select
        case when opt.bucketed then date_trunc(opt.grain, f.day)::date else opt.from_day end as bucket,
        f.channel,
        case when opt.by_level = 'campaign' then coalesce(f.campaign, '') else '' end as campaign,
        f.* exclude (day, channel, campaign),
    from facts as f, opt
    where len($channels::varchar[]) = 0 or list_contains($channels::varchar[], f.channel)
),

-- every bucket of the period gets a total row, even an empty one (charts need the gaps as zeros)
all_buckets as (
    select distinct
        case when opt.bucketed then date_trunc(opt.grain, r.d::date)::date else opt.from_day end as bucket,
    from opt, range(opt.from_day, opt.to_day + interval 1 day, interval 1 day) as r(d)
),

sums as (
    select
        k.bucket,
        k.channel,
        k.campaign,
        grouping(k.channel) = 1 as is_total,
        grouping(k.bucket) = 1 as is_whole,
        sum(k.spend_amount)::double as spend,
        sum(k.impressions_n)::bigint as impressions,
        sum(k.clicks_n)::bigint as clicks,
        sum(k.sessions_n)::bigint as sessions,
        sum(k.leads_n)::bigint as leads,
        sum(k.target_n)::bigint as target_leads,
        sum(k.won_n)::double as won_deals,
        sum(k.new_clients_n)::double as new_clients,
        sum(k.revenue_amount)::double as revenue,
        sum(k.profit_amount)::double as gross_profit,
    from keyed as k
    group by grouping sets ((k.bucket, k.channel, k.campaign), (k.bucket), (k.channel, k.campaign), ())
    -- the whole period's rows only when asked; and no total of nothing (an empty period's () row is all
    -- nulls: the zeros below stand in, as for an empty bucket)
    having (grouping(k.bucket) = 0 or (select whole from opt)) and count(*) > 0
),

with_empty_totals as (
    select s.* replace (coalesce(s.bucket, opt.from_day) as bucket), from sums as s, opt
    union all
    select b.bucket, null, null, true, false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    from all_buckets as b
    where not exists (select 1 from sums as s where s.is_total and not s.is_whole and s.bucket = b.bucket)
    union all
    select opt.from_day, null, null, true, true, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    from opt
    where opt.whole and not exists (select 1 from sums as s where s.is_total and s.is_whole)
),

final as (
    select
        s.bucket,
        case when s.is_total then 'total' else s.channel end as channel,
        case when s.is_total then '' else s.campaign end as campaign,
        s.spend,
        s.impressions,
        s.clicks,
        case when s.impressions > 0 then 100.0 * s.clicks / s.impressions end as ctr_pct,
        case when s.clicks > 0 and s.spend > 0 then s.spend / s.clicks end as cpc,
        s.sessions,
        s.leads,
        s.target_leads,
        s.won_deals,
        s.new_clients,
        s.revenue,
        s.gross_profit,
        case when s.leads > 0 and s.spend > 0 then s.spend / s.leads end as cpl,
        case when s.won_deals > 0 and s.spend > 0 then s.spend / s.won_deals end as cpo,
        case when s.new_clients > 0 and s.spend > 0 then s.spend / s.new_clients end as cac,
        case when s.spend > 0 then 100.0 * (s.revenue - s.spend) / s.spend end as romi_pct,
        case when s.spend > 0 then 100.0 * (s.gross_profit - s.spend) / s.spend end as profit_romi_pct,
        case when s.spend > 0 then s.revenue / s.spend end as roas,
        case when s.revenue > 0 and s.spend > 0 then 100.0 * s.spend / s.revenue end as drr_pct,
        s.is_total,
        s.is_whole,
    from with_empty_totals as s
)

select * from final
order by is_whole, bucket, is_total, spend desc, revenue desc, leads desc, channel, campaign
