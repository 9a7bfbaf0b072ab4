#!/bin/sh
# Add TextSep to the desktop's application menu and "Open with" list (per user, no root needed).
# Run it from the unpacked bundle:   ./install-desktop-entry.sh          (remove with: --uninstall)
# It writes ~/.local/share/applications/textsep.desktop with the absolute path of this bundle's
# executable, and the icon into ~/.local/share/icons/hicolor/<size>/apps/textsep.png.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$apps/textsep.desktop"
    for s in 16 24 32 48 64 128 256 512; do rm -f "$data/icons/hicolor/${s}x${s}/apps/textsep.png"; done
    echo "TextSep menu entry removed."
    exit 0
fi
[ -x "$here/TextSep" ] || { echo "error: $here/TextSep not found; run this script from the TextSep folder" >&2; exit 1; }
mkdir -p "$apps"
for s in 16 24 32 48 64 128 256 512; do
    png=$here/_internal/resources/icon_$s.png
    if [ -f "$png" ]; then
        mkdir -p "$data/icons/hicolor/${s}x${s}/apps"
        cp "$png" "$data/icons/hicolor/${s}x${s}/apps/textsep.png"
    fi
done
sed -e "s|^Exec=.*|Exec=\"$here/TextSep\" %F|" -e "s|^TryExec=.*|TryExec=$here/TextSep|" \
    "$here/textsep.desktop" > "$apps/textsep.desktop"
chmod 644 "$apps/textsep.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "TextSep added to the application menu ($apps/textsep.desktop)."
