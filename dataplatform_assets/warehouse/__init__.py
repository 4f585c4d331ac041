"""The warehouse layer: SCD type 2 dimensions built from the raw MySQL loads."""
