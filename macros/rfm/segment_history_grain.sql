{#-
    The grain of the segment history (var `segment_history_grain`): its as-of dates are the
    starts of these periods. The allowed grains are listed here only; any other value stops
    the build with a message naming them.
-#}
{% macro segment_history_grain() -%}
    {%- set allowed = ['month', 'quarter', 'week'] -%}
    {%- set grain = var('segment_history_grain') | string | trim | lower -%}
    {%- if grain not in allowed -%}
        {{ exceptions.raise_compiler_error(
            "var segment_history_grain must be one of " ~ allowed | join(', ')
            ~ "; got '" ~ var('segment_history_grain') ~ "'"
        ) }}
    {%- endif -%}
    {{ return(grain) }}
{%- endmacro %}
