{#-
    Text to timestamp. ISO timestamps parse directly; the formats in the var
    `raw_timestamp_formats` cover the popular CSV copies (`12/1/2010 8:26`, month first).
    Anything else is null, which staging reports as unparseable. Formats come from vars, so
    they are written as SQL literals with quotes doubled (a var cannot inject SQL).
-#}
{% macro parse_timestamp(text) -%}
    {{ return(adapter.dispatch('parse_timestamp')(text)) }}
{%- endmacro %}

{% macro default__parse_timestamp(text) -%}
    coalesce(
        try_cast(trim({{ text }}) as timestamp),
        try_strptime(
            trim({{ text }}),
            [
            {%- for timestamp_format in var('raw_timestamp_formats') -%}
                '{{ timestamp_format | replace("'", "''") }}'{{ ', ' if not loop.last }}
            {%- endfor -%}
            ]
        )
    )
{%- endmacro %}
