#!/usr/bin/env bash
# A/B: 16 KiB SET and GET at P16, before and after alternating, each server fresh, one warm-up
for i in 1 2 3 4 5 6; do
  for b in old new; do
    d=/tmp/loomchat-$b
    (cd $d; exec ./demo resp --port 17998 --quiet > /dev/null 2>&1) &
    pid=$!
    for t in $(seq 1 50); do redis-cli -p 17998 ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-benchmark -p 17998 -n 20000 -P 16 -t set -d 16384 -q > /dev/null 2>&1
    s=$(redis-benchmark -p 17998 -n 60000 -P 16 -t set -d 16384 --csv 2>/dev/null | tail -1 | cut -d, -f2)
    g=$(redis-benchmark -p 17998 -n 60000 -P 16 -t get -d 16384 --csv 2>/dev/null | tail -1 | cut -d, -f2)
    echo "$i $b set=$s get=$g"
    kill $pid; wait $pid 2>/dev/null
    pkill -f "port 17998" ; sleep 0.5
  done
done
