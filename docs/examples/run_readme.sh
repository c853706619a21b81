#!/usr/bin/env bash
# Run every shell and Python block of README.md, in order, in one shell, against a real
# server on a fresh database: "the examples run as pasted" is checked, not assumed.
#
#   bash docs/examples/run_readme.sh            # uses the `hindsight` on PATH
#
# What it changes, and only this: the corpus's path when the checkout has no ../shared beside
# it (see below), and the server it starts listens on a free port rather than
# 8000 (and the README's second server on another one rather than 8001), so `127.0.0.1:8000`,
# `127.0.0.1:8001` and `--port 8001` are rewritten in the blocks; the database, index and files live in a
# temporary folder (HINDSIGHT_DATABASE_URL and friends are exported for the blocks, as a
# reader's shell would have the defaults). Blocks right after a `<!-- not run ... -->`
# comment (installing, the test suite, benchmarks, a second server on port 8000) are left
# out, each with its reason in the README. The first failing command stops the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v jq >/dev/null || { echo "run_readme: the README needs jq (apt-get install jq)" >&2; exit 2; }
command -v curl >/dev/null || { echo "run_readme: the README needs curl" >&2; exit 2; }
hs=$(command -v hindsight) || { echo "run_readme: no hindsight on PATH; pip install . first" >&2; exit 2; }
py="$(dirname "$hs")/python"

# The files the README writes where it runs; a reader's own files of these names stay.
written=(retro.json team.json assets.jsonl lessons.csv assessment.json chart.svg audit.jsonl other)
for name in "${written[@]}"; do
  if [ -e "$name" ]; then echo "run_readme: $root/$name exists; move it away first" >&2; exit 2; fi
done

work=$(mktemp -d)
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port) other_port=$(free_port)
unset HINDSIGHT_URL HINDSIGHT_TOKEN HINDSIGHT_ADMIN_TOKEN
export HINDSIGHT_DATABASE_URL="sqlite:///$work/hindsight.db" HINDSIGHT_INDEX_DIR="$work/index"
export HINDSIGHT_DATA_DIR="$work"

# As the README's first command: a server with the tour's admin key.
HINDSIGHT_ADMIN_TOKEN=change-me-to-a-long-random-admin-key "$hs" serve --port "$port" >"$work/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "${written[@]}"
}
trap cleanup EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

# The README reads the NASA corpus beside the checkout (../shared/data). A clone made elsewhere
# (CI's, say) finds it beside the checkout it was cloned from; the blocks are pointed there.
corpus="$root/../shared/data/nasa_llis.jsonl"
origin=$(git -C "$root" config --get remote.origin.url 2>/dev/null || true)
if [ ! -f "$corpus" ] && [ -n "$origin" ] && [ -f "$origin/../shared/data/nasa_llis.jsonl" ]; then
  corpus=$(cd "$origin/../shared/data" && pwd)/nasa_llis.jsonl
fi
[ -f "$corpus" ] || { echo "run_readme: the README needs the NASA corpus at $corpus" >&2; exit 2; }
export HINDSIGHT_DEMO_PATH="$corpus"

"$py" - "$root/README.md" "$port" "$other_port" "$py" "$corpus" >"$work/readme.sh" <<'PY'
import re
import shlex
import sys

readme, port, other_port, python, corpus = sys.argv[1:]
lines = open(readme, encoding="utf-8").read().splitlines()
out = [
    "set -euo pipefail",
    # The README's second server is stopped by the README; this is for a run that fails first.
    'trap \'if [ -n "${OTHER_PID:-}" ]; then kill "$OTHER_PID" 2>/dev/null || true; fi\' EXIT',
]
i = 0
while i < len(lines):
    fence = re.fullmatch(r"```(sh|bash|python)\s*", lines[i])
    if not fence:
        i += 1
        continue
    start = i + 1
    end = lines.index("```", start)
    previous = next((line for line in reversed(lines[:i]) if line.strip()), "")
    if not previous.startswith("<!-- not run"):
        body = "\n".join(lines[start:end])
        body = body.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        body = body.replace("127.0.0.1:8001", f"127.0.0.1:{other_port}")
        body = body.replace("--port 8001", f"--port {other_port}")
        body = body.replace("../shared/data/nasa_llis.jsonl", corpus)
        out.append(f"echo '== README.md line {start}' >&2")
        if fence.group(1) == "python":
            out.append(f"{shlex.quote(python)} - <<'README_PYTHON'\n{body}\nREADME_PYTHON")
        else:
            out.append(body)
    i = end + 1
print("\n".join(out))
PY

if ! bash "$work/readme.sh"; then
  echo "run_readme: a README block failed; the server's log and the script run are in $work" >&2
  exit 1
fi
if grep -q Traceback "$work/server.log"; then
  echo "run_readme: the server logged a traceback:" >&2
  grep -n -A20 Traceback "$work/server.log" | head -40 >&2
  exit 1
fi
rm -rf "$work"
echo "run_readme: every README block ran"
