#!/bin/sh
# Installs the Debian 12 packages gensim builds, runs and tests with.
# Idempotent: asks apt only for what is missing. Run as root.
set -eu
PACKAGES="build-essential cmake pkg-config
  libbullet-dev liblua5.4-dev lua5.4 libcjson-dev lua-cjson libcurl4-openssl-dev
  libexpat1-dev libpng-dev zlib1g-dev libgif-dev libopenblas-dev libhdf5-dev hdf5-tools
  lua-busted lua-check valgrind time luarocks luajit libseccomp-dev"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: missing packages:$missing; run as root (or with sudo)" >&2
        exit 1
    fi
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing
fi
