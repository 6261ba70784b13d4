-- Dead, declining and burning-money channels and campaigns (METRICS.md "Dead channels") at the
-- end date D = $to: one row per channel (campaign null) or channel × campaign, and per alert it
-- raises (a channel can be both dead and burning money); channels with no alert give no row.
-- Campaigns are judged only in channels whose leads carry a campaign (within D−69 … D).
-- Baseline = the 56 days before the last 14 days, D−69 … D−14; window = the last 14 days,
-- D−13 … D. λ = baseline leads / 56; expected μ = 14·λ; observed n = leads in the window.
--   dead:          n = 0 and μ ≥ 5
--   declining:     n > 0 and Poisson P(X ≤ n | μ) < 1 %
--   burning_money: spend in the window > 0 and n = 0
-- Parameters: $to (date, D, business time zone); $tz; $channels (varchar[]; empty = all);
--   $currency (spend in other currencies left out; null currency counts as $currency).
-- Columns: channel, campaign (null for the channel as a whole), status, baseline_leads,
--   baseline_per_day, window_leads, expected_leads, p_at_most_pct (Poisson P(X ≤ n | μ), in %),
--   last_lead_at (date of the latest lead up to D; null if none), window_spend (in $currency),
--   window_from, window_to (dates)
with
bounds as (
    select
        $to::date as d,
        $to::date - 69 as baseline_from,
        $to::date - 14 as baseline_to,
        $to::date - 13 as window_from,
),

lead_days as (
    -- leads per business day, channel and campaign: the fact fact_leads_day (queries/facts/)
    select l.channel, l.campaign, l.day, l.leads_n,
    from fact_leads_day as l
    where (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
),

lead_counts as (
    select
        ld.channel,
        case when grouping(ld.campaign) = 1 then null else ld.campaign end as campaign,
        coalesce(sum(ld.leads_n) filter (where ld.day between b.baseline_from and b.baseline_to), 0)::bigint
            as baseline_n,
        coalesce(sum(ld.leads_n) filter (where ld.day between b.window_from and b.d), 0)::bigint as window_n,
        max(ld.day) as last_lead_at,
    from lead_days as ld, bounds as b
    where ld.day <= b.d
    group by grouping sets ((ld.channel), (ld.channel, ld.campaign))
),

window_spend as (
    select
        s.channel,
        case when grouping(s.campaign) = 1 then null else s.campaign end as campaign,
        sum(s.spend)::double as spend_amount,
    from spend as s, bounds as b
    where s.date between b.window_from and b.d
      and coalesce(s.currency, $currency) = $currency
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], s.channel))
    group by grouping sets ((s.channel), (s.channel, s.campaign))
),

campaign_channels as (
    -- campaigns are judged only in channels whose leads carry campaigns at all (else every campaign
    -- with spend would look like it brings no lead)
    select distinct ld.channel,
    from lead_days as ld, bounds as b
    where ld.campaign <> '' and ld.day between b.baseline_from and b.d
),

joined as (
    select
        coalesce(c.channel, w.channel) as channel,
        coalesce(c.campaign, w.campaign) as campaign,
        coalesce(c.baseline_n, 0) as baseline_n,
        coalesce(c.window_n, 0) as window_n,
        c.last_lead_at,
        coalesce(w.spend_amount, 0) as spend_amount,
    from lead_counts as c
    full join window_spend as w
        on w.channel = c.channel and w.campaign is not distinct from c.campaign
),

scored as (
    select
        *,
        baseline_n / 56.0 as baseline_per_day,
        14.0 * baseline_n / 56.0 as expected_n,
    from joined
    -- a campaign row for "no campaign" repeats its channel; an empty-string campaign is skipped
    where campaign is null
       or (campaign <> '' and channel in (select channel from campaign_channels))
),

tested as (
    select
        *,
        -- P(X ≤ n) for X ~ Poisson(μ), summed term by term in log space; only computed where it
        -- can be small (n below μ), 1 otherwise
        case
            when expected_n > 0 and window_n < expected_n then
                list_sum(list_transform(range(0, window_n + 1),
                    lambda k: exp(-expected_n + k * ln(expected_n) - lgamma(k + 1))))
            else 1.0
        end as p_at_most,
    from scored
),

flagged as (
    select *, unnest([
        case when window_n = 0 and expected_n >= 5 then 'dead' end,
        case when window_n > 0 and p_at_most < 0.01 then 'declining' end,
        case when spend_amount > 0 and window_n = 0 then 'burning_money' end
    ]) as status,
    from tested
),

final as (
    select
        f.channel,
        f.campaign,
        f.status,
        f.baseline_n::bigint as baseline_leads,
        f.baseline_per_day,
        f.window_n::bigint as window_leads,
        f.expected_n as expected_leads,
        100.0 * f.p_at_most as p_at_most_pct,
        f.last_lead_at,
        f.spend_amount as window_spend,
        b.window_from,
        b.d as window_to,
    from flagged as f, bounds as b
    where f.status is not null
)

select * from final
order by window_spend desc, expected_leads desc, channel, campaign nulls first,
    case status when 'dead' then 1 when 'declining' then 2 else 3 end
