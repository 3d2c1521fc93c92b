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

{#-
    Spark reads datetime patterns, not strftime formats: each format of the var is
    translated (%m -> M, %d -> d, %Y -> yyyy, %H -> H, %M -> m, %S -> s, ...). One-letter
    patterns accept one or two digits, as strptime does.
-#}
{% macro spark__parse_timestamp(text) -%}
    {%- set patterns = {
        '%Y': 'yyyy', '%y': 'yy', '%m': 'M', '%d': 'd', '%H': 'H', '%I': 'h',
        '%M': 'm', '%S': 's', '%p': 'a', '%b': 'MMM', '%B': 'MMMM', '%%': '%',
    } -%}
    coalesce(
        try_cast(trim({{ text }}) as timestamp),
        {%- for timestamp_format in var('raw_timestamp_formats') %}
        {%- set pattern = namespace(text='') -%}
        {%- set position = namespace(index=0) -%}
        {%- for character in timestamp_format -%}
            {%- if position.index <= loop.index0 -%}
                {%- set code = timestamp_format[loop.index0:loop.index0 + 2] -%}
                {%- if code in patterns -%}
                    {%- set pattern.text = pattern.text ~ patterns[code] -%}
                    {%- set position.index = loop.index0 + 2 -%}
                {%- elif character == '%' -%}
                    {{ exceptions.raise_compiler_error(
                        'raw_timestamp_formats: no Spark pattern for ' ~ code
                        ~ ' in ' ~ timestamp_format) }}
                {%- elif character.isalpha() or character == "'" -%}
                    {#- letters are pattern letters in Spark: quote them as text -#}
                    {%- set pattern.text = pattern.text ~ "'" ~ (
                        "''" if character == "'" else character) ~ "'" -%}
                    {%- set position.index = loop.index0 + 1 -%}
                {%- else -%}
                    {%- set pattern.text = pattern.text ~ character -%}
                    {%- set position.index = loop.index0 + 1 -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor %}
        try_to_timestamp(
            trim({{ text }}), '{{ pattern.text | replace("'", "''") }}'
        ){{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
