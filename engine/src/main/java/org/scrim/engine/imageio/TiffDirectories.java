package org.scrim.engine.imageio;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.stream.ImageInputStream;

/**
 * Counts a TIFF's pages by walking its chain of image directories in a loop. Neither library Scrim hands TIFFs to
 * walks it safely: the JDK reader's own count never ends (and fills the heap) when a crafted chain loops back, and
 * Commons Imaging follows the chain by recursion, so a few thousand pages overflow the thread's stack.
 */
public final class TiffDirectories {
    private TiffDirectories() {}

    /**
     * The number of pages, counted up to {@code limit + 1} (a crafted chain can be as long as the file allows).
     * Leaves {@code in} at 0.
     *
     * @throws IOException when the chain loops back to a directory already seen
     */
    public static int count(ImageInputStream in, int limit) throws IOException {
        ByteOrder order = in.getByteOrder();
        try {
            in.seek(0);
            in.setByteOrder(in.readUnsignedShort() == 0x4949 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            in.readUnsignedShort(); // the magic number, checked by whoever recognised the file as a TIFF
            Set<Long> directories = new HashSet<>();
            for (long offset = in.readUnsignedInt(); offset != 0 && directories.size() <= limit; ) {
                if (!directories.add(offset)) {
                    throw new IOException("damaged TIFF, its page chain loops back to offset " + offset);
                }
                in.seek(offset);
                int entries = in.readUnsignedShort();
                in.seek(offset + 2 + 12L * entries);
                offset = in.readUnsignedInt();
            }
            return directories.size();
        } finally {
            in.setByteOrder(order);
            in.seek(0);
        }
    }
}
