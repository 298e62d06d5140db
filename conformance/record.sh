#!/usr/bin/env bash
# Records the conformance experiments on this machine's kernel.
#   sudo bash conformance/record.sh                 # all experiments
#   sudo bash conformance/record.sh wwr_100 traceroute   # only these
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "$(id -u)" -ne 0 ]; then
  echo "record.sh: must run as root (network namespaces, veth, tc): sudo bash conformance/record.sh" >&2
  exit 1
fi

cleanup() {
  for ns in $(ip netns list 2>/dev/null | awk '/^wwc-/ {print $1}'); do
    ip netns del "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

# Tools: install what is missing, skip what is present.
missing=()
for tool in ip tc tcpdump ethtool chrt ss python3 zcat; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=()
  for tool in "${missing[@]}"; do
    case "$tool" in
      ip|tc|ss) pkgs+=(iproute2) ;;
      chrt) pkgs+=(util-linux) ;;
      zcat) pkgs+=(gzip) ;;
      python3) pkgs+=(python3) ;;
      *) pkgs+=("$tool") ;;
    esac
  done
  echo "record.sh: installing ${pkgs[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
  for tool in "${missing[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "record.sh: $tool still missing after install" >&2; exit 1; }
  done
fi
[ -r /proc/config.gz ] || echo "record.sh: /proc/config.gz unreadable, HZ will be recorded as null" >&2

cleanup
status=0
python3 "$here/record.py" "$@" || status=$?

echo "== captures (packets per file)" >&2
for f in "$here"/recorded/*.pcap; do
  [ -e "$f" ] || continue
  n=$(tcpdump -nr "$f" 2>/dev/null | wc -l)
  printf '%-32s %5d packets %8d bytes\n' "$(basename "$f")" "$n" "$(stat -c %s "$f")"
done
cleanup
if [ -n "$(ip netns list | awk '/^wwc-/')" ]; then
  echo "record.sh: namespaces left behind" >&2
  exit 1
fi
exit $status
