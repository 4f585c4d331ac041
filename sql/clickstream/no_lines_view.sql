-- An hour with no closed landing files: no lines, same columns as lines_view.sql.
CREATE OR REPLACE TEMPORARY VIEW clickstream_lines AS
SELECT CAST(NULL AS STRING) AS value, CAST(NULL AS STRING) AS source_file
WHERE FALSE
