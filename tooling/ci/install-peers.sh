#!/usr/bin/env bash
# Installs, from Debian's packages, the real servers and clients that the tests and the
# benchmarks talk to — only those missing. Used by .ci/run and by `pnpm bench`.
set -euo pipefail
need=()
for pkg in dovecot-core dovecot-pop3d dovecot-lmtpd postfix python3 python3-aiosmtpd swaks mpop msmtp fetchmail curl openssl time; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || need+=("$pkg")
done
((${#need[@]})) || exit 0
if [[ $(id -u) != 0 ]]; then
  echo "missing Debian packages (install them as root): ${need[*]}" >&2
  exit 1
fi
echo "apt-get install: ${need[*]}"
apt-get update -qq
# With recommends, as in the tested recipes (tooling/peers/RECIPES.md).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
