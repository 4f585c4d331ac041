-- SCD type 2 dimensions (dataplatform_assets/warehouse/scd2.py), run in one session of the Spark
-- Thrift Server. A run recomputes the history of the keys the loads it has not applied yet speak
-- of, from the published versions plus those loads (or, for a rebuild, every key from every kept
-- load alone), writes it with the other keys' rows to a new folder and swaps the table's location:
-- readers see the old history or the new one, never a part.
--
-- Each load is a list of states of keys at the load's snapshot time (`seen_at`): a row is the key's
-- values, a tombstone or a key missing from a full load says it is deleted. Per key, in time order,
-- consecutive states with the same tracked values (and deleted flag) form one version; a version's
-- tracked values are those that opened it, its untracked ones the latest seen (`values_at`).

-- name: session
SET spark.sql.session.timeZone = UTC

-- name: loads
-- The loads this run applies, with their snapshot times (from each load's _state.json).
CREATE OR REPLACE TEMPORARY VIEW scd_loads AS
SELECT load_id, CAST(snapshot_at AS TIMESTAMP) AS snapshot_at, is_full
FROM VALUES {loads} AS loads(load_id, snapshot_at, is_full)

-- name: observed
-- Each key's state in each load of the run: its values, or deleted (a tombstone).
CREATE OR REPLACE TEMPORARY VIEW scd_observed AS
SELECT r.{key}, l.snapshot_at AS seen_at, l.snapshot_at AS values_at, l.load_id, r._deleted AS is_deleted,
       IF(r._deleted, NULL, struct({tracked})) AS t, IF(r._deleted, NULL, struct({untracked})) AS u
FROM {raw_table} r JOIN scd_loads l ON r.load_id = l.load_id
WHERE r.load_id IN ({load_ids})

-- name: no_published
-- A first build or a rebuild starts from nothing.
CREATE OR REPLACE TEMPORARY VIEW scd_published AS
SELECT {key}, seen_at, values_at, load_id, is_deleted, t, u FROM scd_observed WHERE FALSE

-- name: published
-- The published history as states: each version opened at its valid_from, with the untracked
-- values it holds as of its loaded_at.
CREATE OR REPLACE TEMPORARY VIEW scd_published AS
SELECT {key}, valid_from AS seen_at, loaded_at AS values_at, load_id, is_deleted,
       IF(is_deleted, NULL, struct({tracked})) AS t, IF(is_deleted, NULL, struct({untracked})) AS u
FROM {dimension}

-- name: gone
-- A full load holds every row of the source: a known key it does not hold was deleted by then.
-- (Without a full load in the run this is empty, and Spark never reads the known keys.)
CREATE OR REPLACE TEMPORARY VIEW scd_gone AS
SELECT known.{key}, l.snapshot_at AS seen_at, l.snapshot_at AS values_at, l.load_id, TRUE AS is_deleted,
       NULL AS t, NULL AS u
FROM (SELECT {key} FROM scd_published UNION SELECT {key} FROM scd_observed) known
CROSS JOIN (SELECT * FROM scd_loads WHERE is_full) l
LEFT ANTI JOIN scd_observed o ON o.{key} = known.{key} AND o.load_id = l.load_id

-- name: touched
-- The keys this run has news of: only their history is recomputed; every other row is kept as is.
CREATE OR REPLACE TEMPORARY VIEW scd_touched AS
SELECT {key} FROM scd_observed UNION SELECT {key} FROM scd_gone

-- name: history
-- Per touched key, in time order, consecutive states with the same tracked values and deleted
-- flag are one version. A deleted state before a key's first values (a full load older than the
-- key) opens nothing. The surrogate key is a hash of the business key and valid_from: a rebuild
-- gives the same keys.
CREATE OR REPLACE TEMPORARY VIEW scd_history AS
WITH states AS (
  SELECT *, IF(is_deleted, NULL, sha2(to_json(t), 256)) AS row_hash
  FROM (SELECT p.* FROM scd_published p LEFT SEMI JOIN scd_touched k ON p.{key} = k.{key}
        UNION ALL SELECT * FROM scd_observed UNION ALL SELECT * FROM scd_gone) s
), flagged AS (
  SELECT *, IF(LAG(row_hash) OVER w <=> row_hash AND LAG(is_deleted) OVER w <=> is_deleted, 0, 1) AS opens
  FROM states
  WINDOW w AS (PARTITION BY {key} ORDER BY seen_at, values_at)
), numbered AS (
  SELECT *, SUM(opens) OVER (PARTITION BY {key} ORDER BY seen_at, values_at
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS version
  FROM flagged
), versions AS (
  SELECT {key}, version, MIN(seen_at) AS valid_from, MIN_BY(load_id, seen_at) AS load_id,
         BOOL_OR(is_deleted) AS is_deleted, MAX(row_hash) AS row_hash, MAX(values_at) AS loaded_at,
         MIN_BY(t, seen_at) AS t, MAX_BY(u, values_at) AS u
  FROM numbered
  GROUP BY {key}, version
)
SELECT xxhash64({key}, valid_from) AS {surrogate_key}, {key}, t.*, u.*, row_hash, valid_from,
       COALESCE(LEAD(valid_from) OVER k, TIMESTAMP '9999-12-31 00:00:00') AS valid_to,
       LEAD(valid_from) OVER k IS NULL AS is_current, is_deleted, load_id, loaded_at
FROM versions
WHERE NOT (version = 1 AND is_deleted)
WINDOW k AS (PARTITION BY {key} ORDER BY valid_from)

-- name: nothing_kept
CREATE OR REPLACE TEMPORARY VIEW scd_kept AS SELECT * FROM scd_history WHERE FALSE

-- name: kept
-- The published rows of keys this run has no news of, columns in the history's order.
CREATE OR REPLACE TEMPORARY VIEW scd_kept AS
SELECT {columns} FROM {dimension} d LEFT ANTI JOIN scd_touched k ON d.{key} = k.{key}

-- name: write_versions
INSERT OVERWRITE DIRECTORY {location} USING PARQUET
SELECT * FROM scd_history UNION ALL SELECT * FROM scd_kept
