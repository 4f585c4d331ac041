-- Keys that appear more than once in a current view (the asset check expects none).
SELECT COUNT(*) FROM (
  SELECT {merge_key} FROM {database}.{view} GROUP BY {merge_key} HAVING COUNT(*) > 1
) duplicated
