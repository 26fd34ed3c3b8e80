package org.scrim.engine.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Side-by-side crops at 100% (no scaling) of the same region of several images, e.g. an original and its protections,
 * for docs/: {@code CropSheet OUT.png X Y SIZE FILE...} (X, Y: the crop's top-left corner).
 */
public final class CropSheet {
    private static final int GAP = 8;

    public static void main(String[] args) throws IOException {
        int x = Integer.parseInt(args[1]);
        int y = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        int n = args.length - 4;
        BufferedImage sheet = new BufferedImage(n * size + (n - 1) * GAP, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        for (int k = 0; k < n; k++) {
            BufferedImage image = ImageIO.read(new File(args[4 + k]));
            if (image == null) {
                throw new IOException("not an image ImageIO reads: " + args[4 + k]);
            }
            g.drawImage(image.getSubimage(x, y, size, size), k * (size + GAP), 0, null);
        }
        g.dispose();
        ImageIO.write(sheet, "png", new File(args[0]));
    }
}
