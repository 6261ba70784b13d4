-- One row per currency money was recorded in (spend, deal amounts, orders), most money first.
-- Rows without a currency are not counted here: reports treat them as the report currency.
-- Columns: currency, rows_n
with
money as (
    select currency from spend where currency is not null
    union all
    select currency from deals where currency is not null and amount is not null
    union all
    select currency from orders where currency is not null
),

final as (
    select currency, count(*) as rows_n
    from money
    group by currency
    order by rows_n desc, currency
)

select * from final
