{#-
    Scores every row of `customers` (customers_rfm_at columns) 1-5 on recency, frequency
    and monetary against the cut points of its own as-of date in `thresholds`
    (rfm_score_thresholds_at columns): one point per cut point passed, so ties always share
    a score; recency runs the other way (5 = most recent). The R x F cell names the
    rule-based segment through the seed rfm_segment_map.
-#}
{% macro rfm_scored_at(customers, thresholds) -%}
with

rfm_segment_map as (

    select * from {{ ref('rfm_segment_map') }}

),

rfm_scores as (

    select
        {{ customers }}.*,
        5 - {{ cut_points_passed(customers ~ '.recency_days', 'recency_days') }}
            as r_score,
        1 + {{ cut_points_passed(customers ~ '.frequency', 'frequency') }}
            as f_score,
        1 + {{ cut_points_passed(customers ~ '.monetary', 'monetary') }}
            as m_score

    from {{ customers }}
    {%- for metric in rfm_score_metrics() %}
    inner join {{ thresholds }} as {{ metric }}
        on
            {{ customers }}.as_of_date = {{ metric }}.as_of_date
            and {{ metric }}.metric = '{{ metric }}'
    {%- endfor %}

),

rfm_segmented as (

    select
        rfm_scores.customer_id,
        rfm_scores.country,
        {{ dbt.concat([
            'cast(rfm_scores.r_score as ' ~ dbt.type_string() ~ ')',
            'cast(rfm_scores.f_score as ' ~ dbt.type_string() ~ ')',
            'cast(rfm_scores.m_score as ' ~ dbt.type_string() ~ ')',
        ]) }} as rfm_cell,
        rfm_segment_map.rfm_segment,
        rfm_scores.recency_days,
        rfm_scores.frequency,
        rfm_scores.monetary,
        rfm_scores.monetary_net,
        rfm_scores.average_order_value,
        rfm_scores.r_score,
        rfm_scores.f_score,
        rfm_scores.m_score,
        rfm_scores.as_of_date,
        rfm_scores.first_purchase_at,
        rfm_scores.last_purchase_at

    from rfm_scores
    left join rfm_segment_map
        on
            rfm_scores.r_score = rfm_segment_map.r_score
            and rfm_scores.f_score = rfm_segment_map.f_score

)

select * from rfm_segmented
{%- endmacro %}
