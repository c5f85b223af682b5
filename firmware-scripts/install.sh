#!/bin/sh
# Installs twinbeat from an unpacked tarball (this script's directory) onto the appliance.
#   install.sh [--prefix ROOT]              install (again: it is idempotent)
#   install.sh [--prefix ROOT] --uninstall  remove what it installed; /etc/ha.d is kept
# --prefix installs into a scratch root (an image being built, or a test). Never overwrites a
# file of the user's: /etc/ha.d/* is created only when absent, authkeys with a random sha256 key.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=""
action=install
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2%/}; shift 2 ;;
    --uninstall) action=uninstall; shift ;;
    *) echo "usage: install.sh [--prefix ROOT] [--uninstall]" >&2; exit 2 ;;
  esac
done

opt="$prefix/opt/twinbeat"
manifest="$opt/.installed"

if [ "$action" = uninstall ]; then
  [ -f "$manifest" ] || { echo "twinbeat is not installed under ${prefix:-/} (no $manifest)"; exit 0; }
  while IFS= read -r path; do rm -f "$prefix$path"; done < "$manifest"
  rm -f "$manifest"
  rm -rf "$opt"
  echo "twinbeat removed; your configuration in $prefix/etc/ha.d is kept"
  exit 0
fi

mkdir -p "$opt"
: > "$manifest.new"
# put SOURCE DEST MODE: copies one file and records it for --uninstall.
put() {
  mkdir -p "$(dirname "$prefix$2")"
  cp "$1" "$prefix$2.tmp.$$" && chmod "$3" "$prefix$2.tmp.$$" && mv "$prefix$2.tmp.$$" "$prefix$2"
  echo "$2" >> "$manifest.new"
}

put "$here/twinbeat.js" /opt/twinbeat/twinbeat.js 0644
[ -f "$here/package.json" ] && put "$here/package.json" /opt/twinbeat/package.json 0644
[ -f "$here/twinbeat.js.map" ] && put "$here/twinbeat.js.map" /opt/twinbeat/twinbeat.js.map 0644
# The guide the unit's Documentation= names, and the docs it links to.
[ -f "$here/README.md" ] && put "$here/README.md" /opt/twinbeat/README.md 0644
if [ -d "$here/docs" ]; then
  rm -rf "$opt/docs"
  cp -R "$here/docs" "$opt/docs"
fi
if [ -d "$here/node_modules" ]; then
  rm -rf "$opt/node_modules"
  cp -R "$here/node_modules" "$opt/node_modules"
fi
put "$here/twinbeat.service" /etc/systemd/system/twinbeat.service 0644
put "$here/99-twinbeat-serial.rules" /etc/udev/rules.d/99-twinbeat-serial.rules 0644
put "$here/logrotate.twinbeat" /etc/logrotate.d/twinbeat 0644
mv "$manifest.new" "$manifest"

etc="$prefix/etc/ha.d"
mkdir -p "$etc"
for f in ha.cf haresources; do
  if [ ! -e "$etc/$f" ]; then
    cp "$here/example/ha.d/$f" "$etc/$f"
    echo "created $etc/$f from the example: edit it"
  fi
done
if [ ! -e "$etc/authkeys" ]; then
  umask 077
  key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  printf 'auth 1\n1 sha256 %s\n' "$key" > "$etc/authkeys"
  chmod 600 "$etc/authkeys"
  echo "created $etc/authkeys with a random sha256 key: copy it to the other node (mode 600)"
fi

cat <<NEXT
twinbeat installed in ${prefix:-}/opt/twinbeat. Next:
  1. edit /etc/ha.d/ha.cf and haresources, copy all three files to the other node;
  2. twinbeat check-config --strict   (node /opt/twinbeat/twinbeat.js check-config --strict)
  3. systemctl daemon-reload && udevadm control --reload && systemctl enable --now twinbeat
NEXT
