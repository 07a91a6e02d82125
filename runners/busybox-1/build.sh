#!/bin/sh
# Builds the busybox-1 runner image: Debian's busybox-static and a link per applet, as an OCI
# archive made by umoci and skopeo (Debian packages). Usage: build.sh OUT.tar [EXTRA_DIR]
# EXTRA_DIR's contents, when given, are copied into the root filesystem (tests plant files so).
set -eu
out=$1
extra=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umoci init --layout "$work/layout"
umoci new --image "$work/layout:busybox-1"
umoci unpack --image "$work/layout:busybox-1" "$work/bundle" >/dev/null
root=$work/bundle/rootfs
mkdir -p "$root/bin" "$root/usr/bin" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s /bin/busybox "$root/usr/bin/$applet"
done
printf 'ID=busybox\nVERSION_ID=%s\n' "$(/bin/busybox | sed -n '1s/^BusyBox v\([^ ]*\).*/\1/p')" \
  > "$root/etc/os-release"
if [ -n "$extra" ]; then
  cp -a "$extra/." "$root/"
fi
umoci repack --image "$work/layout:busybox-1" "$work/bundle"
umoci config --image "$work/layout:busybox-1" --config.env PATH=/usr/bin:/bin
rm -f "$out"
skopeo copy --quiet "oci:$work/layout:busybox-1" "oci-archive:$out"
