#!/usr/bin/env bash
# Every bench in bench/*.py, one after the other, each run without arguments (`make bench`).
# Each bench prints its figures as ratios against a baseline measured in the same run, so
# figures from different machines compare only as ratios. Stops at the first bench that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

shopt -s nullglob
benches=(bench/*.py)
found=0
for bench in "${benches[@]}"; do
  case "$(basename "$bench")" in __init__.py | support.py) continue ;; esac  # not benches
  found=1
  echo "== $bench"
  "$PY" "$bench"
  echo
done
[ "$found" -eq 1 ] || { echo "no bench scripts in bench/" >&2; exit 1; }
