#!/usr/bin/env bash
# Runs the interop check: Duet's Flight service in Node, a Python (C-core gRPC) Flight client.
# Needs Debian's python3-grpcio and python3-numpy (apt-get install -y python3-grpcio python3-numpy).
set -euo pipefail
cd "$(dirname "$0")/../.."
coproc SERVER { npx tsx test/interop/serve-tensor.ts; }
read -r line <&"${SERVER[0]}"
port=$(node -e "console.log(JSON.parse(process.argv[1]).port)" "$line")
ticket=$(node -e "console.log(JSON.parse(process.argv[1]).ticket)" "$line")
out=$(mktemp)
/usr/bin/python3 test/interop/flight_doget.py "$port" "$ticket" "$out"
npx tsx test/interop/read-ipc.ts "$out"
exec {SERVER[1]}>&-
wait
