#!/usr/bin/env bash
# Installs what tax-intake needs on a Debian/Ubuntu machine, skipping what is already there.
#   scripts/bootstrap.sh            runtime (apt packages + .venv with requirements.txt)
#   scripts/bootstrap.sh --dev      also the test tools (requirements-dev.txt, Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

apt_packages=(
  tesseract-ocr tesseract-ocr-jpn poppler-utils redis-server
  fonts-noto-cjk fonts-ipaexfont-gothic fonts-ipaexfont-mincho
  # handwriting-style fonts for the generated 申告書 samples (demo, tests, benchmark)
  fonts-klee fonts-seto fonts-kiloji fonts-aoyagi-soseki
)
# Browser tests drive Debian's Chromium; CI validates docker-compose.yml with docker-compose.
dev_packages=(chromium docker-compose)
[ "$dev" = 1 ] && apt_packages+=("${dev_packages[@]}")

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
requirements=requirements.txt
[ "$dev" = 1 ] && requirements=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing Python packages from $requirements"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$requirements"
  touch "$stamp"
fi
