#!/usr/bin/env bash
# Installs Debian's Chromium (and a font for its screenshots) for the
# browser tests in dashboard/ and cmd/hystrix-demo/ (driven from Go with
# chromedp; no npm). Idempotent: does nothing when both are already there.
# Uses sudo only when not root.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-chromium: not root and no sudo; cannot install chromium" >&2
    exit 1
  fi
fi

$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  chromium fonts-dejavu-core

echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo installed)"
