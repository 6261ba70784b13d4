-- Products of the period, the daily report (METRICS.md "Products (daily report)", "Clients, revenue,
-- money"): one row per product with an order line in the period, the biggest revenue first (the
-- bestsellers), then one row for the whole period (is_total: the cards of the Products page) — one
-- reading of the order lines for both.
-- An order line counts on its ordered_at date in the business time zone; lines in another
-- currency are left out entirely (quantity and orders too; a line without currency counts as
-- $currency) and only counted in other_currency_lines; a line without quantity is one unit. Cost of
-- a line = its cost, or, when absent, revenue × (1 − $margin_pct / 100), so its gross profit =
-- revenue × margin. The channel of a line is its own, else its deal's lead's channel, else 'unknown'.
-- An order with several products counts once in the period's orders.
-- Promote = margin % above the median and quantity below the median of the products in this
-- result (medians over these rows, halfway between the two middle ones for an even count).
-- A repeat order is an order of a client who had ordered anything before (any earlier order,
-- whatever its currency, channel or date).
-- Parameters: $from, $to (dates, inclusive); $tz; $channels (varchar[]; empty = all); $currency;
--   $margin_pct (double, 0…100).
-- Columns: is_total, rank (1 = most revenue; ties by product name; null on the total row), product
--   (null on the total row), quantity (units), orders (distinct orders), revenue, cost, gross_profit,
--   avg_check (revenue / orders) — money in $currency; margin_pct (gross profit / revenue; null
--   without revenue), estimated_cost (the part of cost taken from the margin setting), repeat_orders,
--   repeat_pct (repeat orders / orders), revenue_share_pct (of the revenue of all products),
--   median_quantity, median_margin_pct, promote (boolean); on the total row only (null on the
--   others): products (distinct products sold), no_cost_revenue (revenue of the lines without cost,
--   whatever the margin), other_currency_lines (order lines of the period left out because they are
--   in another currency)
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

all_lines as (
    select
        o.order_id,
        o.product,
        coalesce(o.currency, $currency) = $currency as in_currency,
        coalesce(o.quantity, 1)::double as quantity_n,
        o.revenue::double as revenue_amount,
        coalesce(o.cost::double, o.revenue::double * (1 - opt.margin)) as cost_amount,
        case when o.cost is null then o.revenue::double * (1 - opt.margin) else 0 end as estimated_amount,
        case when o.cost is null then o.revenue::double else 0 end as no_cost_amount,
        o.ordered_at > f.first_at as is_repeat,
    from orders as o
    cross join opt
    left join lead_channel as lc on lc.deal_id = o.deal_id
    left join first_order as f on f.client_id = o.client_id
    -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
    where o.ordered_at >= timezone('UTC', ($from::date - 2)::timestamp) and o.ordered_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, o.ordered_at)::date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], coalesce(o.channel, lc.channel, 'unknown')))
),

sums as (
    select
        grouping(product) = 1 as is_total,
        product,
        coalesce(sum(quantity_n), 0) as quantity_n,
        count(distinct order_id) as orders_n,
        count(distinct order_id) filter (where is_repeat) as repeat_n,
        coalesce(sum(revenue_amount), 0) as revenue_amount,
        coalesce(sum(cost_amount), 0) as cost_amount,
        coalesce(sum(estimated_amount), 0) as estimated_amount,
        coalesce(sum(no_cost_amount), 0) as no_cost_amount,
        count(distinct product) as products_n,
    from all_lines
    where in_currency
    -- the period's row even when it sold nothing: () over no lines is one row
    group by grouping sets ((product), ())
),

measured as (
    select
        *,
        revenue_amount - cost_amount as profit_amount,
        100.0 * (revenue_amount - cost_amount) / nullif(revenue_amount, 0) as margin_pct,
    from sums
),

medians as (
    select
        median(quantity_n) as median_quantity,
        median(margin_pct) as median_margin_pct,
        sum(revenue_amount) as revenue_total,
    from measured
    where not is_total
),

final as (
    select
        p.is_total,
        case when not p.is_total then row_number() over (order by p.is_total, p.revenue_amount desc, p.product) end
            as rank,
        p.product,
        p.quantity_n as quantity,
        p.orders_n::bigint as orders,
        p.revenue_amount as revenue,
        p.cost_amount as cost,
        p.profit_amount as gross_profit,
        p.margin_pct,
        p.revenue_amount / nullif(p.orders_n, 0) as avg_check,
        p.estimated_amount as estimated_cost,
        p.repeat_n::bigint as repeat_orders,
        100.0 * p.repeat_n / nullif(p.orders_n, 0) as repeat_pct,
        100.0 * p.revenue_amount / nullif(m.revenue_total, 0) as revenue_share_pct,
        m.median_quantity,
        m.median_margin_pct,
        coalesce(p.margin_pct > m.median_margin_pct and p.quantity_n < m.median_quantity, false) as promote,
        case when p.is_total then p.products_n::bigint end as products,
        case when p.is_total then p.no_cost_amount end as no_cost_revenue,
        case when p.is_total then (select count(*) from all_lines where not in_currency)::bigint end
            as other_currency_lines,
    from measured as p
    cross join medians as m
)

select * from final order by is_total, rank
