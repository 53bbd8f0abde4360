#!/usr/bin/env bash
# `make demo`: the whole job on config.example.toml, from an empty database.
set -euo pipefail
digest="${1:-digest}"
cd "$(dirname "$0")/.."
config=config.example.toml
rm -rf out/digest.db out/digest.db-wal out/digest.db-shm out/outbox out/preview

"$digest" -c "$config" check
"$digest" -c "$config" subscribers import weekly-en examples/subscribers-en.csv
"$digest" -c "$config" subscribers import weekly-fr examples/subscribers-fr.csv
"$digest" -c "$config" collect
"$digest" -c "$config" preview weekly-en
"$digest" -c "$config" preview weekly-fr
"$digest" -c "$config" send weekly-en
"$digest" -c "$config" send weekly-fr

echo
echo "Done. Look at:"
echo "  preview (open in a browser): out/preview/weekly-en.html, out/preview/weekly-fr.html"
echo "  outbox (one .eml per subscriber): out/outbox/weekly-en/0001/, out/outbox/weekly-fr/0001/"
echo "  database: out/digest.db   (try: .venv/bin/digest -c config.example.toml articles)"
