#!/bin/sh
# packages.sh: installs OpenVPN and socat from the distribution's packages when missing (Debian/Ubuntu: apt-get).
set -eu
if command -v openvpn >/dev/null && command -v socat >/dev/null; then echo "openvpn and socat are installed: $(openvpn --version | head -n 1)"; exit 0; fi
command -v apt-get >/dev/null || { echo "no apt-get on this host: install openvpn and socat by hand" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=120 update -q
apt-get -o DPkg::Lock::Timeout=120 install -y -q openvpn socat
echo "installed: $(openvpn --version | head -n 1)"
