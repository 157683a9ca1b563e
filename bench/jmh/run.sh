#!/usr/bin/env bash
# Runs loomchat's JMH microbenchmarks, briefly by default (2 warm-up and 3 measured 1 s iterations, 1 fork):
#   bench/jmh/run.sh                      # all of them (~2 min)
#   bench/jmh/run.sh 'ReaderBench.delimited' -p messageSize=65536
# Arguments go to JMH (org.openjdk.jmh.Main); -rf json -rff FILE keeps the results. Builds the module first
# (compile only; nothing is installed) and uses the JDK that ./mvnw finds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/bin/find-jdk.sh"
JAVA_HOME="$(loomchat_find_jdk)" || exit 1
(cd "$root" && ./mvnw -q -B -pl bench/jmh -am package -DskipTests) >&2
target="$root/bench/jmh/target"
exec "$JAVA_HOME/bin/java" -cp "$target/classes:$(cat "$target/jmh.classpath")" org.openjdk.jmh.Main "$@"
