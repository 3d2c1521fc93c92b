{#-
    How many of the quintile cut points p20, p40, p60 and p80 of `thresholds` (a row of
    int_rfm_score_thresholds) the value exceeds: 0 to 4. Equal values pass equally many, so
    ties always share a score. Renders on one line.
-#}
{% macro cut_points_passed(value, thresholds) -%}
    (
    {%- for cut in ['p20', 'p40', 'p60', 'p80'] -%}
        case when {{ value }} > {{ thresholds }}.{{ cut }} then 1 else 0 end
        {{- ' + ' if not loop.last -}}
    {%- endfor -%}
    )
{%- endmacro %}
