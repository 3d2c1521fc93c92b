{#-
    The staged lines this build loads into the line-level tables: every line, or in a daily
    run (var raw_new_lines_from) only the lines of the files not loaded before, read
    without opening the other files (macro raw_staged_lines).
-#}
{{ raw_staged_lines(new_lines_only=true) }}
