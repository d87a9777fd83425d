#!/usr/bin/env bash
# Runs the whole WeMi Bot test suite, after installing what the tests need when it is
# missing. Usage: ./test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")"

# apt_need PACKAGE COMMAND: install a Debian package when its command is missing.
apt_need() {
  if ! command -v "$2" >/dev/null 2>&1; then
    echo "test.sh: installing $1 (needed by the tests)"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$1" >/dev/null
  fi
}

command -v go >/dev/null 2>&1 || { echo "test.sh: Go 1.26 is required (https://go.dev/doc/install)"; exit 1; }
apt_need gcc gcc                   # the race detector needs cgo
apt_need redis-server redis-server # the Redis store's tests start their own server
apt_need redis-tools redis-cli     # ... and create a Redis Cluster with redis-cli
apt_need chromium chromium         # the web chat is tested in headless Chromium

# The payment tests run stripe-mock, Stripe's own API double: built once from the Go
# module proxy into the user's cache (about 30 s), where adapters/stripe/stripetest
# finds it. WEMI_STRIPE_MOCK, when set, names a binary to use instead.
if [ -z "${WEMI_STRIPE_MOCK:-}" ] && ! command -v stripe-mock >/dev/null 2>&1; then
  STRIPE_MOCK_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/wemibot/stripe-mock-v0.203.0"
  if [ ! -x "$STRIPE_MOCK_DIR/stripe-mock" ]; then
    echo "test.sh: building stripe-mock (needed by the payment tests)"
    mkdir -p "$STRIPE_MOCK_DIR"
    GOBIN="$STRIPE_MOCK_DIR" GOFLAGS= CGO_ENABLED=0 go install github.com/stripe/stripe-mock@v0.203.0
  fi
  export WEMI_STRIPE_MOCK="$STRIPE_MOCK_DIR/stripe-mock"
fi

# A package may take minutes on a loaded 2-core machine (the replicas' chaos and soak
# tests run real processes): a generous per-package limit, not go test's 10 minutes.
go test -race -count=1 -timeout 25m "$@" ./...
