#!/usr/bin/env bash
# What the chain's canonical form costs inside PostgreSQL, per event, against cheaper forms (issue 11; results in
# docs/performance.md "A cheaper canonical form, measured").
#
# Usage: ops/bench/canonical-cost.sh [psql connection options]   e.g. -h /tmp/pg -p 5499 -U postgres
# Needs a PostgreSQL 15 it may create a schema in (canon_bench, dropped at the end) and psql on PATH. It copies the
# deployed canonical function from audit migration 0001 (so it cannot drift), fills a table shaped like Marten's
# ledger.mt_events with EVENTS rows like the marten-appends benchmark's (about 300 bytes of body, Ledger's headers),
# and times each query over all rows in one backend (parallel workers off), three times; it prints the best time per
# row. Close other work first: the figures are processor time on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${EVENTS:-200000}
migration=src/Ledger.Audit/Migrations/0001_audit_layer.sql
canonical=$(sed -n '/^CREATE FUNCTION ledger_audit.canonical(/,/^\$\$;/p' "$migration" |
    sed -e 's/ledger_audit\.canonical(e ledger\.mt_events)/canon_bench.canonical(e canon_bench.mt_events)/')
if [[ -z "$canonical" ]]; then echo "canonical-cost: ledger_audit.canonical not found in $migration" >&2; exit 1; fi

psql=(psql -X -q -v ON_ERROR_STOP=1 "$@")
"${psql[@]}" <<SQL
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS canon_bench CASCADE;
CREATE SCHEMA canon_bench;
CREATE TABLE canon_bench.mt_events (
    seq_id bigint PRIMARY KEY, id uuid NOT NULL, stream_id varchar NOT NULL, version bigint NOT NULL, data jsonb NOT NULL,
    type varchar NOT NULL, timestamp timestamptz NOT NULL, tenant_id varchar, mt_dotnet_type varchar,
    correlation_id varchar, causation_id varchar, headers jsonb, bdata bytea, is_archived boolean);
INSERT INTO canon_bench.mt_events
SELECT g, gen_random_uuid(), 'marten-1x16-w03-s' || (g / 10), g % 10 + 1,
       jsonb_build_object('indicator', 'IKU-' || (g % 9) || '.' || (g % 7) || '.' || (g % 19),
                          'indicatorName', 'Persentase ASN yang memenuhi standar kompetensi jabatan',
                          'year', 2023 + g % 3, 'period', 'Q' || (g % 4 + 1), 'value', round((random() * 100)::numeric, 2),
                          'target', 85.00, 'unit', 'percent',
                          'evidence', 'Laporan capaian triwulan no. 800/' || lpad(g::text, 5, '0') || '/BKPSDM/2024, diverifikasi Inspektorat',
                          'submittedBy', 'operator-03@bkpsdm.surakarta.go.id'),
       'realization_recorded', now() - (g || ' ms')::interval, '*DEFAULT*', 'Ledger.Bench.RealizationRecorded, Ledger.Bench',
       gen_random_uuid()::text, NULL,
       jsonb_build_object('actor', jsonb_build_object('id', 'bench-writer', 'name', 'Bench Writer', 'role', 'staff'),
                          'reason', 'Laporan capaian triwulan', 'agency', 'pemkot-surakarta'),
       NULL, false
  FROM generate_series(1, $EVENTS) g;
VACUUM ANALYZE canon_bench.mt_events;
$canonical;
SQL

best() { # label, select-list over canon_bench.mt_events e
    local label=$1 expr=$2 t best=""
    for _ in 1 2 3; do
        t=$("${psql[@]}" -At -c "SET max_parallel_workers_per_gather = 0" -c '\timing on' \
                -c "SELECT count($expr) FROM canon_bench.mt_events e" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
        if [[ -z "$best" ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
    done
    awk -v ms="$best" -v n="$EVENTS" -v l="$label" 'BEGIN { printf "%-62s %7.2f µs per event\n", l, ms * 1000 / n }'
}
# (SHA-256 alone is the difference of the deployed form with and without its hash: a hash of a constant is folded by
# the planner into one call.)

echo "canonical-cost: $EVENTS events, best of three, one backend"
best "scan only" "e.seq_id"
best "ledger_audit.canonical(e) (the deployed form, no hash)" "canon_bench.canonical(e)"
best "sha256(canonical(e)) (the deployed form and its hash)" "sha256(canon_bench.canonical(e))"
best "sha256(record_send(e)) (the row's binary form)" "sha256(record_send(e))"
best "data::text and headers::text (the jsonb bodies as text)" "octet_length(e.data::text) + octet_length(e.headers::text)"
best "sha256(data::text || headers::text) (the bodies alone)" "sha256(convert_to(e.data::text || e.headers::text, 'UTF8'))"
"${psql[@]}" -c "SET client_min_messages = warning" -c "DROP SCHEMA canon_bench CASCADE"
