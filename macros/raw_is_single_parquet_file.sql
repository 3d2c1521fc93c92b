{#-
    How the raw file is read, decided from the vars `raw_relation`, `raw_files` and
    `raw_data_path` alone, so that the source (which reads the file; its external_location
    repeats the rule, since dbt renders source configs without project macros) and staging
    (which numbers its lines) agree.
-#}
{% macro raw_is_single_parquet_file() -%}
    {#- One Parquet file, no glob: DuckDB can number its rows itself (file_row_number)
        while it reads in parallel. A glob of files would restart the numbers in each.
        A raw relation (var raw_relation) is no file; a folder (var raw_files) is
        numbered per file by staging. -#}
    {%- set path = var('raw_data_path') | string -%}
    {{ return(
        not var('raw_relation')
        and not var('raw_files')
        and path.lower().endswith('.parquet')
        and not ('*' in path or '?' in path or '[' in path)
    ) }}
{%- endmacro %}
