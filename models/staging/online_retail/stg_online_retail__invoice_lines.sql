{#-
    Types and renames every raw line, removing none (macro raw_staged_lines).

    The raw lines are a file (var raw_data_path), a folder of files (var raw_files) or a
    relation (var raw_relation). The line id is the line's position in the file, or in the
    files taken in name order, or the relation's line-number column (var
    raw_line_number_column); macro raw_line_number says how each database numbers them.
-#}
{{ raw_staged_lines() }}
