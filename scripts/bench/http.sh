#!/usr/bin/env bash
# Compares Starling's HTTP/1.1 client (HTTPBench: closed loop, one keep-alive connection per
# thread, GET) with wrk against the same local nginx, at the same concurrency.
# Done-criterion: Starling >= 0.6x wrk's req/s.
#
#   scripts/bench/http.sh                 # 10 s each, concurrency 8, nginx on 127.0.0.1:18080
#   BENCH_SECONDS=5 BENCH_CONCURRENCY=8 BENCH_TARGET=fake scripts/bench/http.sh   # Starling's FakeTarget instead
#
# Needs: wrk and nginx (Debian: apt-get install -y wrk nginx-light). Every step is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=${BENCH_SECONDS:-10}
concurrency=${BENCH_CONCURRENCY:-8}
port=${BENCH_PORT:-18080}
target=${BENCH_TARGET:-nginx}

for tool in wrk nginx swift; do
    command -v "$tool" >/dev/null || { echo "bench-http: '$tool' not found — apt-get install -y wrk nginx-light" >&2; exit 1; }
done

work=$(mktemp -d)
cleanup() {
    [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

flock /tmp/starling-build.lock swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null

if [[ "$target" == nginx ]]; then
    mkdir -p "$work/tmp"
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 10000000;
    client_body_temp_path $work/tmp;
    proxy_temp_path $work/tmp;
    fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp;
    scgi_temp_path $work/tmp;
    server {
        listen 127.0.0.1:$port;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
CONF
    nginx -c "$work/nginx.conf" -p "$work"
    url="http://127.0.0.1:$port/"
    sleep 0.3
    echo "== wrk -t2 -c$concurrency -d${duration}s $url"
    timeout $((duration + 20)) wrk -t2 -c"$concurrency" -d"${duration}s" "$url" | tee "$work/wrk.txt"
    echo "== starling HTTPBench c=$concurrency ${duration}s $url"
    STARLING_BENCH=1 STARLING_BENCH_URL="$url" STARLING_BENCH_CONCURRENCY="$concurrency" STARLING_BENCH_SECONDS="$duration" \
        timeout $((duration + 60)) swift test -c release -Xswiftc -enable-testing --skip-build --filter HTTPBenchTests 2>&1 \
        | grep -E "HTTPBench|passed|failed" | tee "$work/starling.txt"
else
    echo "== starling HTTPBench c=$concurrency ${duration}s against an in-process FakeTarget (no wrk comparison)"
    STARLING_BENCH=1 STARLING_BENCH_CONCURRENCY="$concurrency" STARLING_BENCH_SECONDS="$duration" \
        timeout $((duration + 60)) swift test -c release -Xswiftc -enable-testing --skip-build --filter HTTPBenchTests 2>&1 \
        | grep -E "HTTPBench|passed|failed"
    exit 0
fi

wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
ours_rps=$(sed -nE 's/.* = ([0-9]+) req\/s.*/\1/p' "$work/starling.txt" | head -1)
if [[ -n "$wrk_rps" && -n "$ours_rps" ]]; then
    awk -v a="$ours_rps" -v b="$wrk_rps" 'BEGIN { r = a / b; printf "starling/wrk = %.2f (%s vs %s req/s) — %s\n", r, a, b, (r >= 0.6 ? "PASS (>= 0.6)" : "FAIL (< 0.6)"); exit (r >= 0.6 ? 0 : 2) }'
fi
