#!/usr/bin/env bash
# Make sure the review page's browser test can run: Debian's chromium, plus CJK fonts so Chinese renders
# in screenshots instead of tofu boxes. Idempotent, and never fails the caller: where it cannot install
# (not root, no apt-get, no network) it says so and exits 0; the browser test then skips with a message.
set -u

need=()
if [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
has_cjk_font() {
  if command -v fc-list >/dev/null 2>&1; then
    fc-list :lang=zh 2>/dev/null | grep -q .
  else
    compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJK*' >/dev/null
  fi
}
if ! has_cjk_font; then
  need+=(fonts-noto-cjk)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: missing ${need[*]}; cannot install (need root and apt-get)." \
       "Install with: sudo apt-get install -y chromium fonts-noto-cjk — browser tests will be skipped." >&2
  exit 0
fi

echo "ensure-browser: installing ${need[*]} …" >&2
if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; then
  echo "ensure-browser: installed ${need[*]}" >&2
else
  echo "ensure-browser: could not install ${need[*]}; browser tests will be skipped." >&2
fi
exit 0
