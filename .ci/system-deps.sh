#!/usr/bin/env bash
# System packages tierkit's tests use, installed only when missing:
#  - a Java 17 runtime for the local Spark session (pyspark);
#  - a CJK font for the Chinese HTML text headless Chromium renders in the report tests (the
#    charts use the font that ships inside tierkit);
#  - headless Chromium, which renders the HTML report in the tests as a person sees it.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qiE "WenQuanYi|Noto Sans CJK" || need+=(fonts-wqy-microhei fontconfig)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "tierkit: please install: ${need[*]} (apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "installing system packages: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
