#!/bin/sh
# One-shot (temporalio/admin-tools): creates the namespace and Flywheel's search attributes once the server answers.
set -eu
: "${TEMPORAL_ADDRESS:=temporal:7233}" "${TEMPORAL_NAMESPACE:=default}" "${TEMPORAL_RETENTION:=30d}"

until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  echo "waiting for the Temporal server at $TEMPORAL_ADDRESS"; sleep 3
done

temporal operator namespace describe -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 ||
  temporal operator namespace create -n "$TEMPORAL_NAMESPACE" --retention "$TEMPORAL_RETENTION" --address "$TEMPORAL_ADDRESS"

# The same attributes `flywheel dev` registers on the dev server (src/temporal/search-attributes.ts).
for attr in FlywheelKind:Keyword FlywheelStatus:Keyword FlywheelProducer:Keyword FlywheelScore:Double; do
  name=${attr%%:*}; type=${attr##*:}
  temporal operator search-attribute list -n "$TEMPORAL_NAMESPACE" --address "$TEMPORAL_ADDRESS" | grep -qw "$name" ||
    temporal operator search-attribute create -n "$TEMPORAL_NAMESPACE" --name "$name" --type "$type" --address "$TEMPORAL_ADDRESS"
done
echo "namespace $TEMPORAL_NAMESPACE and search attributes are ready"
