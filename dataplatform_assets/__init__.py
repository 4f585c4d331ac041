"""The platform's Dagster code location; workspace.yaml loads `dataplatform_assets.definitions`.
Importing the package itself loads no definitions, so a command that needs one module of it
(e.g. `dataplatform customer`) starts fast."""
