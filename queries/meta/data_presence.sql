-- One row per kind of data: whether anything of that kind was ever imported; qualified_leads:
-- leads with a qualification (none: the junk rate is not known).
-- Columns: kind, rows_n; by kind (one order on every engine)
select kind, rows_n from (
    select 'leads' as kind, count(*) as rows_n from leads
    union all select 'deals', count(*) from deals
    union all select 'deal_stages', count(*) from deal_stages
    union all select 'stages', count(*) from stages
    union all select 'spend', count(*) from spend
    union all select 'sessions', count(*) from sessions
    union all select 'traffic', count(*) from traffic
    union all select 'activities', count(*) from activities
    union all select 'orders', count(*) from orders
    union all select 'reviews', count(*) from reviews
    union all select 'plans', count(*) from plans
    union all select 'qualified_leads', count(*) from leads where qualification is not null
) as k
order by kind
