"""Which ingestion checks block downstream work: only the one that can never fail transiently."""

from dataplatform_assets.ingestion.assets import COUNT_CHECK, DUPLICATES_CHECK, WINDOW_CHECK, import_assets


def test_only_the_unique_keys_check_blocks_downstream_assets():
    for asset in import_assets:
        blocking = {spec.name: spec.blocking for spec in asset.check_specs}
        assert blocking == {WINDOW_CHECK: False, DUPLICATES_CHECK: True, COUNT_CHECK: False}, asset.key
