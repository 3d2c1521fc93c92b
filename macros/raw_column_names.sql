{#-
    Maps each staged column to its name in the raw file, so that both published schemas
    (Online Retail: InvoiceNo, UnitPrice, CustomerID; Online Retail II: Invoice, Price,
    "Customer ID") stage alike. The accepted names per column come from the var
    `raw_columns`; matching ignores case and surrounding blanks. A raw file without one of
    them stops the run with a message naming the file, the expected and the found columns.
    Returns {staged column: quoted raw column name} (macro raw_quoted_name).
-#}
{% macro raw_column_names(raw_relation) -%}
    {%- if not execute -%}
        {#- parsing only: no file is read, the names just have to render -#}
        {%- set placeholders = {} -%}
        {%- for column in var('raw_columns') -%}
            {%- do placeholders.update({column: raw_quoted_name(column)}) -%}
        {%- endfor -%}
        {{ return(placeholders) }}
    {%- endif -%}
    {%- set found = run_query(
        'select * from ' ~ raw_relation ~ ' where 1 = 0'
    ).column_names -%}
    {%- set by_key = {} -%}
    {%- for name in found -%}
        {%- do by_key.update({name | trim | lower: name}) -%}
    {%- endfor -%}
    {%- set mapping = {} -%}
    {%- set missing = [] -%}
    {%- for column, aliases in var('raw_columns').items() -%}
        {%- set matches = [] -%}
        {%- for alias in aliases -%}
            {%- if alias | lower in by_key -%}
                {%- do matches.append(by_key[alias | lower]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if matches -%}
            {%- do mapping.update({column: raw_quoted_name(matches[0])}) -%}
        {%- else -%}
            {%- do missing.append(aliases | join(' or ')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            ('The raw relation ' ~ var('raw_relation') if var('raw_relation')
                else 'The raw file ' ~ var('raw_data_path')) ~ ' lacks the column(s) '
            ~ missing | join(', ') ~ '. Expected the Online Retail or Online Retail II '
            ~ 'schema; found: ' ~ found | join(', ')
        ) }}
    {%- endif -%}
    {{ return(mapping) }}
{%- endmacro %}
