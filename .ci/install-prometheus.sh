#!/usr/bin/env bash
# Installs Debian's Prometheus server for the end-to-end test in
# cmd/hystrix-demo (prometheus_e2e_test.go), which starts its own prometheus
# process on a free loopback port. Idempotent: does nothing when a
# prometheus binary is already on PATH. Uses sudo only when not root.
#
# The package's maintainer scripts would start the system service; a
# temporary policy-rc.d stops them from doing so (the test needs only the
# binary), and the service is left stopped.
set -euo pipefail

if command -v prometheus >/dev/null 2>&1; then
  echo "prometheus: $(prometheus --version 2>&1 | head -n 1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-prometheus: not root and no sudo; cannot install prometheus" >&2
    exit 1
  fi
fi

# Keep invoke-rc.d from starting the service during the install, unless
# the machine already has a policy of its own.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
fi
cleanup() {
  if [ -n "$own_policy" ]; then
    $SUDO rm -f "$policy"
  fi
}
trap cleanup EXIT

$SUDO apt-get -o DPkg::Lock::Timeout=300 update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends prometheus

if ! command -v prometheus >/dev/null 2>&1; then
  echo "install-prometheus: the package installed no prometheus on PATH" >&2
  exit 1
fi
echo "prometheus: $(prometheus --version 2>&1 | head -n 1)"
