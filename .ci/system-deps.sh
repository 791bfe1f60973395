#!/usr/bin/env bash
# System packages tierkit's tests use, installed only when missing:
#  - a Java 17 runtime for the local Spark session (pyspark);
#  - a CJK font so Chinese chart labels render (no missing-glyph boxes);
#  - headless Chromium, which renders the HTML report in the tests as a person sees it.
# With --demo: only the font, and a user without root gets a notice instead of a failure.
set -euo pipefail
demo=0
[ "${1:-}" = "--demo" ] && demo=1
need=()
if [ $demo = 0 ]; then
  command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK" || need+=(fonts-wqy-microhei fontconfig)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    if [ $demo = 1 ]; then
      echo "tierkit: no CJK font: the Chinese chart labels of the demo's second report may show boxes" \
           "(sudo apt-get install -y ${need[*]})" >&2
      exit 0
    fi
    echo "tierkit: please install: ${need[*]} (apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
