-- The floor: recency, frequency and monetary per customer straight from the raw file, in
-- one hand-written DuckDB query with the project's default rules (no guests, no C or A
-- invoices, positive quantity and price, no non-product codes, exact duplicates once) and
-- nothing else: no staging, no audit, no tests. It is what the SQL RFM stage of the
-- project is measured against. Its result equals marts.dim_customers on recency_days,
-- frequency and monetary for a typed Parquet file (tests/python/test_bench.py).
--
-- The file comes from a DuckDB variable:
--   set variable raw_data_path = 'data/raw/online_retail.parquet';
with

valid_lines as (

    -- distinct: a later exact copy of a valid line is a duplicate, the first one counts
    select distinct
        InvoiceNo,
        StockCode,
        Description,
        Quantity,
        InvoiceDate,
        UnitPrice,
        CustomerID,
        Country

    from read_parquet(getvariable('raw_data_path'))
    where
        CustomerID is not null
        and upper(InvoiceNo) not like 'C%'
        and upper(InvoiceNo) not like 'A%'
        and Quantity > 0
        and UnitPrice > 0
        and StockCode not in (
            'AMAZONFEE', 'B', 'BANK CHARGES', 'C2', 'CRUK', 'D', 'DOT', 'M', 'PADS',
            'POST', 'S'
        )

),

as_of as (

    select max(cast(InvoiceDate as date)) + 1 as as_of_date
    from valid_lines

)

select
    valid_lines.CustomerID as customer_id,
    date_diff(
        'day', max(cast(valid_lines.InvoiceDate as date)), any_value(as_of.as_of_date)
    ) as recency_days,
    count(distinct valid_lines.InvoiceNo) as frequency,
    round(sum(valid_lines.Quantity * valid_lines.UnitPrice), 2) as monetary

from valid_lines
cross join as_of
group by valid_lines.CustomerID
