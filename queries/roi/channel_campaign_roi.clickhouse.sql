-- ClickHouse twin of channel_campaign_roi.sql (same columns, same numbers; tests/test_clickhouse.py
-- compares them). Written by hand because ClickHouse cannot run its two correlated subqueries:
-- "is a new client" (no earlier order of the client) is a left join to prior_orders here, and the
-- buckets without a total row are found by a left join instead of `not exists`.
-- Everything else is the translation fullfunnel/engines/clickhouse.py makes of the DuckDB query.
WITH flt AS (
  SELECT
    CAST({channels: } AS Array(Nullable(String))) AS channels
), opt AS (
  SELECT
    CAST({by: } AS Nullable(String)) AS by_level,
    CAST({attribution: } AS Nullable(String)) AS model,
    CAST({view: } AS Nullable(String)) AS view_kind,
    CAST({bucketed: } AS Nullable(Bool)) AS bucketed,
    CAST({bucketed: } AS Nullable(Bool)) AND CAST({whole: } AS Nullable(Bool)) AS whole,
    CAST({grain: } AS Nullable(String)) AS grain,
    CAST({from: } AS Nullable(DATE)) AS from_day,
    CAST({to: } AS Nullable(DATE)) AS to_day,
    CAST({margin_pct: } AS Nullable(Float64)) / 100.0 AS margin
), deal_orders AS (
  SELECT
    o.deal_id AS "deal_id",
    SUM(
      COALESCE(
        CAST(o.cost AS Nullable(Float64)),
        CAST(o.revenue AS Nullable(Float64)) * (
          1 - opt.margin
        )
      )
    ) AS cogs_amount
  FROM orders AS o, opt
  WHERE
    NOT (
      o.deal_id IS NULL
    ) AND COALESCE(o.currency, {currency: }) = {currency: }
  GROUP BY
    o.deal_id
), won_all AS (
  SELECT
    d.deal_id AS "deal_id",
    d.closed_at AS "closed_at",
    COALESCE(d.client_id, l.client_id, 'deal:' || d.deal_id) AS client_key,
    COALESCE(d.client_id, l.client_id) AS client_id,
    l.lead_id AS "lead_id",
    COALESCE(l.channel, 'unknown') AS own_channel,
    COALESCE(l.campaign, '') AS own_campaign,
    COALESCE(l.created_at, d.created_at) AS anchor_at,
    CASE
      WHEN opt.view_kind = 'cohort'
      THEN CAST(toTimeZone(COALESCE(l.created_at, d.created_at), {tz: }) AS Nullable(DATE))
      ELSE CAST(toTimeZone(d.closed_at, {tz: }) AS Nullable(DATE))
    END AS day,
    CASE
      WHEN COALESCE(d.currency, {currency: }) = {currency: }
      THEN CAST(COALESCE(d.amount, 0) AS Nullable(Float64))
      ELSE 0
    END AS revenue_amount,
    toBool(COALESCE(d.currency, {currency: }) = {currency: }) AS in_currency,
    toInt64(
      ROW_NUMBER() OVER (
        PARTITION BY COALESCE(d.client_id, l.client_id, 'deal:' || d.deal_id)
        ORDER BY d.closed_at, d.deal_id
      )
    ) AS client_deal_n
  FROM deals AS d
  LEFT JOIN leads AS l
    ON l.lead_id = d.lead_id
  CROSS JOIN opt
  WHERE
    d.status = 'won'
), prior_orders AS (
  SELECT DISTINCT
    w.deal_id AS "deal_id"
  FROM won_all AS w
  JOIN orders AS o2
    ON o2.client_id = w.client_id
  WHERE
    o2.ordered_at < w.closed_at AND o2.deal_id IS DISTINCT FROM w.deal_id
), won_in AS (
  SELECT
    w.*,
    CASE
      WHEN NOT w.in_currency
      THEN 0.0
      WHEN NOT (
        o.deal_id IS NULL
      )
      THEN w.revenue_amount - o.cogs_amount
      ELSE w.revenue_amount * opt.margin
    END AS profit_amount,
    (
      w.client_deal_n = 1 AND po.deal_id IS NULL
    ) AS is_new_client
  FROM won_all AS w
  CROSS JOIN opt
  LEFT JOIN deal_orders AS o
    ON o.deal_id = w.deal_id
  LEFT JOIN prior_orders AS po
    ON po.deal_id = w.deal_id
  WHERE
    w.day BETWEEN opt.from_day AND opt.to_day
), shares AS (
  SELECT
    a.deal_id AS "deal_id",
    a.channel AS "channel",
    a.campaign AS "campaign",
    a.share AS "share"
  FROM fact_deal_shares AS a, opt
  WHERE
    a.model = opt.model
), spend_facts AS (
  SELECT
    s.date AS day,
    s.channel AS "channel",
    s.campaign AS "campaign",
    s.spend AS spend_amount,
    COALESCE(s.impressions, 0) AS impressions_n,
    COALESCE(s.clicks, 0) AS clicks_n
  FROM spend AS s, opt
  WHERE
    s.date BETWEEN opt.from_day AND opt.to_day
    AND COALESCE(s.currency, {currency: }) = {currency: }
), has_sessions AS (
  SELECT
    toBool(toInt64(COUNT(*)) > 0) AS yes
  FROM sessions
), session_facts AS (
  SELECT
    s.day AS "day",
    s.channel AS "channel",
    s.campaign AS "campaign",
    s.sessions_n AS "sessions_n"
  FROM fact_sessions_day AS s, opt
  WHERE
    s.day BETWEEN opt.from_day AND opt.to_day
  UNION ALL
  SELECT
    t.date AS "date",
    COALESCE(nullIf(t.channel, ''), 'unknown'),
    t.campaign AS "campaign",
    t.sessions AS "sessions"
  FROM traffic AS t, opt, has_sessions AS h
  WHERE
    NOT h.yes AND t.date BETWEEN opt.from_day AND opt.to_day
), lead_facts AS (
  SELECT
    l.day AS "day",
    l.channel AS "channel",
    l.campaign AS "campaign",
    l.leads_n AS "leads_n",
    l.leads_n - l.junk_n AS target_n
  FROM fact_leads_day AS l, opt
  WHERE
    l.day BETWEEN opt.from_day AND opt.to_day
), deal_facts AS (
  SELECT
    w.day AS "day",
    sh.channel AS "channel",
    sh.campaign AS "campaign",
    sh.share AS won_n,
    CASE WHEN w.is_new_client THEN sh.share ELSE 0 END AS new_clients_n,
    sh.share * w.revenue_amount AS revenue_amount,
    sh.share * w.profit_amount AS profit_amount
  FROM won_in AS w
  INNER JOIN shares AS sh
    ON sh.deal_id = w.deal_id
), facts AS (
  SELECT
    day,
    channel,
    campaign,
    spend_amount,
    impressions_n,
    clicks_n,
    0 AS sessions_n,
    0 AS leads_n,
    0 AS target_n,
    0.0 AS won_n,
    0.0 AS new_clients_n,
    0.0 AS revenue_amount,
    0.0 AS profit_amount
  FROM spend_facts
  UNION ALL
  SELECT
    day,
    channel,
    campaign,
    CAST(0 AS Nullable(Decimal(18, 2))),
    0,
    0,
    sessions_n,
    0,
    0,
    0,
    0,
    0,
    0
  FROM session_facts
  UNION ALL
  SELECT
    day,
    channel,
    campaign,
    0,
    0,
    0,
    0,
    leads_n,
    target_n,
    0,
    0,
    0,
    0
  FROM lead_facts
  UNION ALL
  SELECT
    day,
    channel,
    campaign,
    0,
    0,
    0,
    0,
    0,
    0,
    won_n,
    new_clients_n,
    revenue_amount,
    profit_amount
  FROM deal_facts
), keyed AS (
  SELECT
    CASE
      WHEN opt.bucketed
      THEN CAST(multiIf(opt.grain = 'day', toDate(f.day), opt.grain = 'week', toMonday(f.day), opt.grain = 'month', toStartOfMonth(f.day), opt.grain = 'quarter', toStartOfQuarter(f.day), opt.grain = 'year', toStartOfYear(f.day), NULL) AS Nullable(DATE))
      ELSE opt.from_day
    END AS bucket,
    f.channel AS "channel",
    CASE WHEN opt.by_level = 'campaign' THEN COALESCE(f.campaign, '') ELSE '' END AS campaign,
    f.*
    EXCEPT (day, channel, campaign)
  FROM facts AS f, opt, flt
  WHERE
    length(flt.channels) = 0 OR has(flt.channels, f.channel)
), all_buckets AS (
  SELECT DISTINCT
    CASE
      WHEN opt.bucketed
      THEN CAST(multiIf(opt.grain = 'day', toDate(CAST(d AS Nullable(DATE))), opt.grain = 'week', toMonday(CAST(d AS Nullable(DATE))), opt.grain = 'month', toStartOfMonth(CAST(d AS Nullable(DATE))), opt.grain = 'quarter', toStartOfQuarter(CAST(d AS Nullable(DATE))), opt.grain = 'year', toStartOfYear(CAST(d AS Nullable(DATE))), NULL) AS Nullable(DATE))
      ELSE opt.from_day
    END AS bucket
  FROM opt ARRAY JOIN arrayFilter(x -> x < assumeNotNull(opt.to_day + INTERVAL '1' DAY), arrayMap(i -> addDays(assumeNotNull(opt.from_day), i), range(toUInt64(greatest(dateDiff('day', assumeNotNull(opt.from_day), assumeNotNull(opt.to_day + INTERVAL '1' DAY)) + 1, 0))))) AS d
), sums AS (
  SELECT
    k.bucket AS "bucket",
    k.channel AS "channel",
    k.campaign AS "campaign",
    toBool(GROUPING(k.channel) = 1) AS is_total,
    toBool(GROUPING(k.bucket) = 1) AS is_whole,
    CAST(SUM(k.spend_amount) AS Nullable(Float64)) AS spend,
    CAST(SUM(k.impressions_n) AS Nullable(Int64)) AS impressions,
    CAST(SUM(k.clicks_n) AS Nullable(Int64)) AS clicks,
    CAST(SUM(k.sessions_n) AS Nullable(Int64)) AS sessions,
    CAST(SUM(k.leads_n) AS Nullable(Int64)) AS leads,
    CAST(SUM(k.target_n) AS Nullable(Int64)) AS target_leads,
    CAST(SUM(k.won_n) AS Nullable(Float64)) AS won_deals,
    CAST(SUM(k.new_clients_n) AS Nullable(Float64)) AS new_clients,
    CAST(SUM(k.revenue_amount) AS Nullable(Float64)) AS revenue,
    CAST(SUM(k.profit_amount) AS Nullable(Float64)) AS gross_profit
  FROM keyed AS k
  GROUP BY
    GROUPING SETS (
      (k.bucket, k.channel, k.campaign),
      (
        k.bucket
      ),
      (k.channel, k.campaign),
      ()
    )
  HAVING
    (
      GROUPING(k.bucket) = 0 OR (
        SELECT
          whole
        FROM opt
      )
    )
    AND COUNT(*) > 0
), with_empty_totals AS (
  SELECT
    CASE WHEN s.is_whole THEN opt.from_day ELSE s.bucket END AS "bucket",
    s.channel, s.campaign, s.is_total, s.is_whole, s.spend, s.impressions, s.clicks, s.sessions, s.leads,
    s.target_leads, s.won_deals, s.new_clients, s.revenue, s.gross_profit
  FROM sums AS s, opt
  UNION ALL
  SELECT
    b.bucket AS "bucket",
    NULL,
    NULL,
    TRUE,
    FALSE,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0
  FROM all_buckets AS b
  LEFT JOIN (
    SELECT DISTINCT
      bucket
    FROM sums
    WHERE
      is_total AND NOT is_whole
  ) AS s
    ON s.bucket = b.bucket
  WHERE
    s.bucket IS NULL
  UNION ALL
  SELECT
    opt.from_day,
    NULL,
    NULL,
    TRUE,
    TRUE,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0
  FROM opt, (
    SELECT
      COUNT(*) AS n
    FROM sums
    WHERE
      is_total AND is_whole
  ) AS w
  WHERE
    opt.whole AND w.n = 0
), final AS (
  SELECT
    s.bucket AS "bucket",
    CASE WHEN s.is_total THEN 'total' ELSE s.channel END AS channel,
    CASE WHEN s.is_total THEN '' ELSE s.campaign END AS campaign,
    s.spend AS "spend",
    s.impressions AS "impressions",
    s.clicks AS "clicks",
    CASE WHEN s.impressions > 0 THEN 100.0 * s.clicks / s.impressions END AS ctr_pct,
    CASE WHEN s.clicks > 0 AND s.spend > 0 THEN s.spend / s.clicks END AS cpc,
    s.sessions AS "sessions",
    s.leads AS "leads",
    s.target_leads AS "target_leads",
    s.won_deals AS "won_deals",
    s.new_clients AS "new_clients",
    s.revenue AS "revenue",
    s.gross_profit AS "gross_profit",
    CASE WHEN s.leads > 0 AND s.spend > 0 THEN s.spend / s.leads END AS cpl,
    CASE WHEN s.won_deals > 0 AND s.spend > 0 THEN s.spend / s.won_deals END AS cpo,
    CASE WHEN s.new_clients > 0 AND s.spend > 0 THEN s.spend / s.new_clients END AS cac,
    CASE WHEN s.spend > 0 THEN 100.0 * (
      s.revenue - s.spend
    ) / s.spend END AS romi_pct,
    CASE WHEN s.spend > 0 THEN 100.0 * (
      s.gross_profit - s.spend
    ) / s.spend END AS profit_romi_pct,
    CASE WHEN s.spend > 0 THEN s.revenue / s.spend END AS roas,
    CASE WHEN s.revenue > 0 AND s.spend > 0 THEN 100.0 * s.spend / s.revenue END AS drr_pct,
    s.is_total AS "is_total",
    s.is_whole AS "is_whole"
  FROM with_empty_totals AS s
)
SELECT
  *
FROM final
ORDER BY
  is_whole,
  bucket,
  is_total,
  spend DESC,
  revenue DESC,
  leads DESC,
  channel,
  campaign
