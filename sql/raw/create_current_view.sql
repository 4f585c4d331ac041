-- The table as the source holds it now: the latest version of each key across the current chain
-- of loads (the latest full load and the incremental ones after it), tombstoned keys left out.
CREATE OR REPLACE VIEW {database}.{view} COMMENT '{comment}' AS
SELECT {column_names}
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY {merge_key} ORDER BY load_id DESC) AS _version
  FROM {database}.{table}
  WHERE load_id >= '{base_load_id}'
) versions
WHERE _version = 1 AND NOT _deleted
