-- Products totals (METRICS.md "Products (daily report)", "Clients, revenue, money"): one row for
-- the period — the cards of the Products page. The same order lines as products/bestsellers.sql
-- (ordered_at in the business time zone, $currency only, channel filter, cost or revenue ×
-- (1 − margin)); an order with several products counts once.
-- Parameters: $from, $to (dates, inclusive); $tz; $channels (varchar[]; empty = all); $currency;
--   $margin_pct (double, 0…100).
-- Columns: revenue, cost, gross_profit, avg_check (revenue / orders) — money in $currency;
--   margin_pct (gross profit / revenue), orders (distinct orders), quantity (units), products
--   (distinct products sold), repeat_orders (orders of clients who had ordered before),
--   estimated_cost (cost taken from the margin setting), no_cost_revenue (revenue of the lines
--   without cost, whatever the margin), other_currency_lines (order lines of
--   the period left out because they are in another currency)
with
opt as (
    select $margin_pct::double / 100.0 as margin,
),

-- the channel of each deal's lead ('unknown' for a deal without one), kept per deal in the fact
-- fact_deal_outcomes (queries/facts/fact_deal_outcomes.sql)
lead_channel as (
    select deal_id, channel, from fact_deal_outcomes
),

first_order as (
    select client_id, min(ordered_at) as first_at,
    from orders
    group by client_id
),

in_period as (
    select
        o.*,
        coalesce(o.currency, $currency) = $currency as in_currency,
        o.ordered_at > f.first_at as is_repeat,
    from orders as o
    left join lead_channel as lc on lc.deal_id = o.deal_id
    left join first_order as f on f.client_id = o.client_id
    -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
    where o.ordered_at >= timezone('UTC', ($from::date - 2)::timestamp) and o.ordered_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, o.ordered_at)::date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], coalesce(o.channel, lc.channel, 'unknown')))
),

sums as (
    select
        coalesce(sum(i.revenue::double) filter (where i.in_currency), 0) as revenue_amount,
        coalesce(sum(coalesce(i.cost::double, i.revenue::double * (1 - opt.margin))) filter (where i.in_currency), 0)
            as cost_amount,
        coalesce(sum(i.revenue::double * (1 - opt.margin)) filter (where i.in_currency and i.cost is null), 0)
            as estimated_amount,
        coalesce(sum(i.revenue::double) filter (where i.in_currency and i.cost is null), 0) as no_cost_amount,
        count(distinct i.order_id) filter (where i.in_currency) as orders_n,
        count(distinct i.order_id) filter (where i.in_currency and i.is_repeat) as repeat_n,
        coalesce(sum(coalesce(i.quantity, 1)) filter (where i.in_currency), 0) as quantity_n,
        count(distinct i.product) filter (where i.in_currency) as products_n,
        count(*) filter (where not i.in_currency) as other_n,
    from in_period as i
    cross join opt
),

final as (
    select
        revenue_amount as revenue,
        cost_amount as cost,
        revenue_amount - cost_amount as gross_profit,
        100.0 * (revenue_amount - cost_amount) / nullif(revenue_amount, 0) as margin_pct,
        orders_n::bigint as orders,
        revenue_amount / nullif(orders_n, 0) as avg_check,
        quantity_n::double as quantity,
        products_n::bigint as products,
        repeat_n::bigint as repeat_orders,
        estimated_amount as estimated_cost,
        no_cost_amount as no_cost_revenue,
        other_n::bigint as other_currency_lines,
    from sums
)

select * from final
