{#-
    How staging reads each numeric or time column of the raw lines: per staged column, the
    raw value (`raw`) and the SQL that parses it (`parsed`, over `<column>_raw`). A text
    value (every value of a CSV) is trimmed and parsed by parse_integer, parse_number or
    parse_timestamp, so a value that does not parse becomes null and is flagged, never
    dropped. A typed column of a Parquet file or a table (integer, double, timestamp: macro
    raw_column_types) is used as it is, which gives the same values without printing and
    parsing them back: DuckDB prints a double in its shortest round-trip form and a
    timestamp in full. A double id or quantity keeps the whole-number rule of
    parse_integer (macro whole_number); a price must be finite (macro finite_number). Any
    other type goes the text way.
-#}
{% macro typed_raw_values(raw_relation, raw_columns) -%}
    {%- set raw_types = raw_column_types(raw_relation) if execute else {} -%}
    {#- integer type names of DuckDB and Spark (INT) -#}
    {%- set integer_types = [
        'TINYINT', 'SMALLINT', 'INTEGER', 'INT', 'BIGINT',
        'UTINYINT', 'USMALLINT', 'UINTEGER',
    ] -%}
    {%- set values = {} -%}
    {%- for column, parse, typed in [
        ('customer_id', parse_integer, integer_types + ['DOUBLE']),
        ('quantity', parse_integer, integer_types + ['DOUBLE']),
        ('unit_price', parse_number, integer_types + ['DOUBLE']),
        ('invoiced_at', parse_timestamp, ['TIMESTAMP', 'TIMESTAMP_NTZ']),
    ] -%}
        {%- set name = raw_columns[column] -%}
        {%- set raw_type = raw_types.get(name, 'VARCHAR') -%}
        {%- set value = column ~ '_raw' -%}
        {%- if raw_type not in typed -%}
            {%- do values.update({column: {
                'raw': clean_text(name), 'parsed': parse(value),
            }}) -%}
        {%- elif column == 'unit_price' -%}
            {%- do values.update({column: {
                'raw': name, 'parsed': finite_number(value),
            }}) -%}
        {%- elif raw_type == 'DOUBLE' -%}
            {%- do values.update({column: {
                'raw': name, 'parsed': whole_number(value),
            }}) -%}
        {%- else -%}
            {#- one integer and one timestamp type, whichever the table has -#}
            {%- do values.update({column: {
                'raw': 'cast(' ~ name ~ ' as '
                    ~ ('bigint' if raw_type in integer_types else 'timestamp') ~ ')',
                'parsed': value,
            }}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}
