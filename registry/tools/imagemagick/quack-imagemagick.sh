#!/bin/sh
# quack-imagemagick thumbnail --image=NAME [--size=WxH]: writes thumb.png and manifest.json.
set -eu
verb=$1; shift
[ "$verb" = thumbnail ] || { echo "quack-imagemagick: unknown verb $verb" >&2; exit 64; }
image= size=128x128
for a in "$@"; do
  case $a in
    --image=*) image=${a#--image=} ;;
    --size=*) size=${a#--size=} ;;
    *) echo "quack-imagemagick: unknown argument $a" >&2; exit 64 ;;
  esac
done
convert "/workspace/in/$image" -thumbnail "$size" "$OUT_DIR/thumb.png"
geometry=$(identify -format '%wx%h' "$OUT_DIR/thumb.png")
echo "thumbnail $geometry"
printf '{"tool":"imagemagick","outputs":[{"path":"thumb.png","media_type":"image/png","geometry":"%s"}]}\n' \
  "$geometry" > "$OUT_DIR/manifest.json"
