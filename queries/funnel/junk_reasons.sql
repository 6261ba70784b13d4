-- One row per junk reason among the non-target leads created in the period (METRICS.md "Leads").
-- A junk lead without a reason has junk_reason null.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty = all).
-- Columns: junk_reason, leads_n (junk leads with that reason), share_pct (leads_n / all junk leads
--   of the period × 100); most frequent reason first
with
junk as (
    select nullif(trim(l.junk_reason), '') as junk_reason,
    from leads as l
    where l.qualification = 'junk'
      -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
      and l.created_at >= timezone('UTC', ($from::date - 2)::timestamp)
      and l.created_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, l.created_at)::date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
),

final as (
    select
        junk_reason,
        count(*) as leads_n,
        100.0 * count(*) / sum(count(*)) over () as share_pct,
    from junk
    group by junk_reason
)

select * from final order by leads_n desc, junk_reason nulls last
