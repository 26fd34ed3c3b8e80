#!/usr/bin/env bash
# Peak resident memory (GNU time's maximum resident set, counted in KiB, printed in GiB) and CPU time of
# `scrim protect --no-verify --seed 1` on an image scaled to each size.
# Usage: bench/run-peak-memory.sh IMAGE WxH...   (e.g. ../shared/images/starry_night.jpg 1024x1024 6000x4000)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/Scale.java" <<'JAVA'
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

public class Scale {
    public static void main(String[] a) throws Exception {
        BufferedImage src = ImageIO.read(new File(a[0]));
        int w = Integer.parseInt(a[2]);
        int h = Integer.parseInt(a[3]);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        ImageIO.write(out, "png", new File(a[1]));
    }
}
JAVA
for size in "$@"; do
  java -Xmx4g "$work/Scale.java" "$image" "$work/in.png" "${size%x*}" "${size#*x}"
  /usr/bin/time -v -o "$work/time" "$here/scrim" protect --no-verify --seed 1 "$work/in.png" -o "$work/out.png" \
    > /dev/null 2>&1
  awk -v size="$size" -F': ' '/Maximum resident/ {rss = $2} /User time/ {user = $2} /System time/ {sys = $2}
    END {printf "%s: peak %.3f GiB resident, %.1f s CPU\n", size, rss / 1048576, user + sys}' "$work/time"
  echo "  output sha256 $(sha256sum "$work/out.png" | cut -c1-16) (compare across versions: same bytes)"
done
