#!/usr/bin/env bash
# Hunts lost wake-ups and stalls for minutes: StallHuntTest's hunt (chat-server/src/test/java/io/loomchat/server/
# faults/StallHunt.java) with a long workload, while a second JVM burns the cores.
#   bench/stall-hunt.sh                 # 300 s of workload, 200 clients, 2 burner threads per core
#   bench/stall-hunt.sh 60 100          # 60 s, 100 clients
#   STALL_QUIET=5 STALL_BURNERS=0 STALL_SEED=42 bench/stall-hunt.sh 120
#   bench/stall-hunt.sh 300 200 -Djdk.pollerMode=1   # further arguments go to Maven, -D ones on to the test JVM
# STALL_QUIET: seconds a client may wait for its reply before it counts as a stall (default 10).
# It prints one line: replies, connections, the longest gap between two lines, the longest waits of one client.
# A stall fails the run with a report and a thread dump (virtual threads included) under
# chat-server/target/stall-hunt/. Builds what it needs first; ./mvnw finds the JDK.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-300}"
clients="${2:-200}"
shift $(( $# < 2 ? $# : 2 ))
burners="${STALL_BURNERS:-$((2 * $(nproc)))}"
start=$SECONDS
status=0
(cd "$root" && ./mvnw -q -B -pl chat-server -am test -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='StallHuntTest#everyReplyArrivesWhileAnotherProcessBurnsEveryCore' \
    -Dloomchat.stall.seconds="$seconds" -Dloomchat.stall.clients="$clients" \
    -Dloomchat.stall.quietSeconds="${STALL_QUIET:-10}" -Dloomchat.stall.burners="$burners" \
    ${STALL_SEED:+-Dloomchat.stall.seed="$STALL_SEED"} "$@") || status=$?
echo "stall-hunt.sh: ${seconds} s of workload, ${clients} clients, ${burners} burner threads;" \
    "$((SECONDS - start)) s in all, exit status $status" >&2
exit "$status"
