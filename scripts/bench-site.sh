#!/usr/bin/env bash
# The static site's benchmark (docs/performance.md): the same state-size set built by `kimo site`
# and by Open SDG's data build (sdg-build 2.3.0), each timed with its peak memory.
#
# Needs a release build and sdg-build in a Python environment: SDG_PYTHON=/path/to/venv/bin/python
# (pip install numpy<2 'pandas>=1.5,<2' … and sdg-build from https://github.com/open-sdg/sdg-build,
# tag 2.3.0, with yamlmd from https://github.com/dougmet/yamlmd; see docs/performance.md).
set -euo pipefail
KIMO=${KIMO:-./target/release/kimo}
WORK=${WORK:-/tmp/kimo-bench-site}
PY=${SDG_PYTHON:?set SDG_PYTHON to the python of an environment with sdg-build}
rm -rf "$WORK" && mkdir -p "$WORK"
"$KIMO" bench generate --areas 27 --indicators 60 --years 15 "$WORK/set"
"$KIMO" --database "$WORK/s.db" import "$WORK"/set/katalog/*.csv "$WORK/set/daten.csv" > /dev/null
"$KIMO" --database "$WORK/s.db" export --format open-sdg "$WORK/opensdg"
SRC="$WORK/opensdg"
mkdir -p "$SRC/translations/de" "$SRC/translations/en"
echo 'title: Integrationsmonitoring' > "$SRC/translations/de/kimo.yml"
echo 'title: Integration monitoring' > "$SRC/translations/en/kimo.yml"
cat > "$SRC/metadata_schema.yml" <<'YML'
prose:
  metadata:
    meta:
      - name: "indicator_name"
        field:
            element: text
            label: "Indicator name"
            scope: page
YML
cat > "$SRC/config_data.yml" <<'YML'
languages: [de, en]
site_dir: _site
schema_file: metadata_schema.yml
inputs:
  - class: InputCsvData
    path_pattern: data/*.csv
  - class: InputYamlMeta
    path_pattern: meta/*.yml
    git: false
translations:
  - class: TranslationInputYaml
    source: translations
reporting_status_extra_fields: []
YML
for round in 1 2 3; do
  rm -rf "$SRC/_site" "$WORK/site"
  ( cd "$SRC" && /usr/bin/time -f "round $round sdg-build: %e s wall, %U s user, %M KB peak" \
      "$PY" -c "import sdg; assert sdg.open_sdg_build(config='config_data.yml')" 2>&1 \
      | grep "^round" )
  /usr/bin/time -f "round $round kimo site: %e s wall, %U s user, %M KB peak" \
      "$KIMO" --database "$WORK/s.db" site "$WORK/site" 2>&1 | grep "^round"
done
du -sh "$SRC/_site" "$WORK/site"
