#!/usr/bin/env bash
# Seconds from a fresh clone to a healthy server through the wheel (git clone -> venv ->
# pip wheel -> pip install -> hindsight serve from an empty folder -> 200 on /healthz), and
# the wheel's top-level names. Run by hand: bash bench/install_to_healthy.sh [CHECKOUT]
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/.." && pwd)}
w=$(mktemp -d); cd "$w"
t0=$(date +%s.%N)
git clone -q "$repo" hindsight
python3 -m venv venv
venv/bin/pip wheel -q --no-deps -w wheels ./hindsight
venv/bin/pip install -q wheels/hindsight-*.whl
t1=$(date +%s.%N)
mkdir empty && cd empty
port=$(../venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
../venv/bin/hindsight serve --port "$port" >serve.log 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { cat serve.log >&2; exit 1; }
  sleep 0.1
done
t2=$(date +%s.%N)
kill $pid; wait $pid 2>/dev/null || true
python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); print(f'clone+venv+wheel+install {b-a:.1f}s, serve to 200 {c-b:.1f}s, total {c-a:.1f}s')" $t0 $t1 $t2
unzip -l ../wheels/hindsight-*.whl | awk 'NR>3 {print $4}' | cut -d/ -f1 | sort -u | grep -v '^$'
cd /; rm -rf "$w"
