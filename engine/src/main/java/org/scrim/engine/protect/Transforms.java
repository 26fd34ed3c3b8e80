package org.scrim.engine.protect;

import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.scrim.engine.onnx.Attr;
import org.scrim.engine.onnx.GraphBuilder;
import org.scrim.engine.tensor.RgbImage;
import org.scrim.engine.tensor.Tensor;

/**
 * Image manipulations in two forms. The graph transforms ({@link ImageTransform}) are differentiable stand-ins for
 * expectation over transformations; the plain-Java methods are the real manipulations that verification applies
 * (true JPEG through javax.imageio, area-averaging downscale, Gaussian noise, Gaussian blur) on {@link RgbImage}s;
 * the graph transforms take the same images as [1,3,H,W] tensors.
 */
public final class Transforms {
    private Transforms() {}

    // ---- graph transforms ----

    /** JPEG at {@code quality} (1..100, IJG scale as javax.imageio uses it). */
    public static ImageTransform jpeg(int quality) {
        return new JpegApproximation(quality);
    }

    /**
     * Downscale so the long side is {@code longSide} (no-op when already that small): AveragePool by the largest
     * whole factor, then linear Resize to the exact size; together close to area averaging.
     */
    public static ImageTransform downscale(int longSide) {
        if (longSide < 1) {
            throw new IllegalArgumentException("downscale long side must be positive, got " + longSide);
        }
        return new ImageTransform() {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                long[] target = outputShape(shape);
                if (Arrays.equals(target, shape)) {
                    return g.op("Identity", image);
                }
                long k = Math.min(shape[2] / target[2], shape[3] / target[3]);
                String x = image;
                long[] s = shape.clone();
                if (k >= 2) {
                    x = g.op("AveragePool", new String[] {x}, Attr.ints("kernel_shape", k, k), Attr.ints("strides", k, k));
                    s[2] /= k;
                    s[3] /= k;
                }
                if (s[2] == target[2] && s[3] == target[3]) {
                    return x;
                }
                float[] scales = {1, 1, resizeScale(s[2], target[2]), resizeScale(s[3], target[3])};
                return g.op("Resize", new String[] {x, "", g.initializer("scales", new Tensor(scales, 4))},
                        Attr.s("mode", "linear"), Attr.s("coordinate_transformation_mode", "half_pixel"));
            }

            @Override
            public long[] outputShape(long[] shape) {
                long[] out = shape.clone();
                long[] hw = downscaledSize(shape[2], shape[3], longSide);
                out[2] = hw[0];
                out[3] = hw[1];
                return out;
            }

            @Override
            public String describe() {
                return "downscale(" + longSide + ")";
            }
        };
    }

    /** Gaussian blur, edge pixels repeated (same result as {@link #blur(RgbImage, double)}). */
    public static ImageTransform blur(double sigma) {
        float[] kernel = PlaneFilters.gaussianKernel(sigma);
        return new SameShape("blur(sigma=" + sigma + ")") {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                return GraphImageOps.separableDepthwise(g, image, shape, kernel);
            }
        };
    }

    /** Moves the content by (dy, dx) pixels; the uncovered border repeats the edge. Shape is kept. */
    public static ImageTransform shift(int dy, int dx) {
        return new SameShape("shift(" + dy + "," + dx + ")") {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                if (Math.abs(dy) >= shape[2] || Math.abs(dx) >= shape[3]) {
                    throw new IllegalArgumentException(describe() + " is larger than the image "
                            + Arrays.toString(shape));
                }
                String x = GraphImageOps.slice(g, image, 2, Math.max(0, -dy), shape[2] - Math.max(0, dy));
                x = GraphImageOps.slice(g, x, 3, Math.max(0, -dx), shape[3] - Math.max(0, dx));
                long[] cut = {shape[0], shape[1], shape[2] - Math.abs(dy), shape[3] - Math.abs(dx)};
                return GraphImageOps.replicatePad(g, x, cut, Math.max(0, dy), Math.max(0, -dy), Math.max(0, dx),
                        Math.max(0, -dx));
            }
        };
    }

    /** Keeps rows top..top+height-1 and columns left..left+width-1. */
    public static ImageTransform crop(int top, int left, int height, int width) {
        return new ImageTransform() {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > shape[2]
                        || left + width > shape[3]) {
                    throw new IllegalArgumentException(describe() + " lies outside the image " + Arrays.toString(shape));
                }
                String x = GraphImageOps.slice(g, image, 2, top, top + height);
                return GraphImageOps.slice(g, x, 3, left, left + width);
            }

            @Override
            public long[] outputShape(long[] shape) {
                return new long[] {shape[0], shape[1], height, width};
            }

            @Override
            public String describe() {
                return "crop(" + top + "," + left + "," + height + "x" + width + ")";
            }
        };
    }

    /** Adds a noise tensor the caller feeds each step through a new graph input {@code inputName} (image shape). */
    public static ImageTransform noiseInput(String inputName) {
        return new SameShape("noise(input " + inputName + ")") {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                return g.op("Add", image, g.input(inputName, shape));
            }
        };
    }

    /** Adds fixed Gaussian noise, the very field {@link #gaussianNoise(RgbImage, double, long)} adds, then clips. */
    public static ImageTransform fixedNoise(double sigma, long seed) {
        return new SameShape("noise(sigma=" + sigma + ",seed=" + seed + ")") {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                String noise = g.initializer("noise", noiseField(shape, sigma, seed));
                return GraphImageOps.clip01(g, g.op("Add", image, noise));
            }
        };
    }

    /** The transforms one after another. */
    public static ImageTransform chain(ImageTransform... steps) {
        ImageTransform[] all = steps.clone();
        return new ImageTransform() {
            @Override
            public String apply(GraphBuilder g, String image, long[] shape) {
                String x = image;
                long[] s = shape;
                for (ImageTransform t : all) {
                    x = t.apply(g, x, s);
                    s = t.outputShape(s);
                }
                return x;
            }

            @Override
            public long[] outputShape(long[] shape) {
                long[] s = shape;
                for (ImageTransform t : all) {
                    s = t.outputShape(s);
                }
                return s;
            }

            @Override
            public String describe() {
                return String.join(" > ", Arrays.stream(all).map(ImageTransform::describe).toList());
            }
        };
    }

    // ---- real manipulations ----

    /** Encodes as baseline JPEG at {@code quality} (1..100) with javax.imageio and decodes it again. */
    public static RgbImage jpegRoundTrip(RgbImage image, int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            writer.setOutput(out);
            writer.write(null, new IIOImage(ImageTensors.toImage(image), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding at quality " + quality + " failed: " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        try {
            return ImageTensors.fromImage(ImageIO.read(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException e) {
            throw new UncheckedIOException("decoding our own JPEG failed: " + e.getMessage(), e);
        }
    }

    /** Area-averaging downscale (java.awt) so the long side is {@code longSide}; 8-bit result. */
    public static RgbImage downscale(RgbImage image, int longSide) {
        long[] target = downscaledSize(image.height(), image.width(), longSide);
        int width = (int) target[1];
        int height = (int) target[0];
        if (width == image.width() && height == image.height()) {
            return image.copy();
        }
        Image scaled = ImageTensors.toImage(image).getScaledInstance(width, height, Image.SCALE_AREA_AVERAGING);
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(scaled, 0, 0, null);
        g.dispose();
        return ImageTensors.fromImage(out).withColours(image.colours());
    }

    /** Adds Gaussian noise of standard deviation {@code sigma} (seeded) and clips to [0,1]. */
    public static RgbImage gaussianNoise(RgbImage image, double sigma, long seed) {
        float[] n = noiseField(image.tensor().shape(), sigma, seed).data();
        float[] d = image.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.min(1f, Math.max(0f, d[i] + n[i]));
        }
        return new RgbImage(d, image.width(), image.height());
    }

    /** Gaussian blur of each channel, edge pixels repeated. */
    public static RgbImage blur(RgbImage image, double sigma) {
        int n = image.pixels();
        float[] kernel = PlaneFilters.gaussianKernel(sigma);
        float[] out = new float[3 * n];
        for (int c = 0; c < 3; c++) {
            float[] plane = Arrays.copyOfRange(image.data(), c * n, (c + 1) * n);
            System.arraycopy(PlaneFilters.convolve(plane, image.width(), image.height(), kernel), 0, out, c * n, n);
        }
        return new RgbImage(out, image.width(), image.height());
    }

    // ---- shared helpers ----

    static Tensor noiseField(long[] shape, double sigma, long seed) {
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("noise sigma must be >= 0, got " + sigma);
        }
        Random r = new Random(seed);
        float[] d = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (sigma * r.nextGaussian());
        }
        return new Tensor(d, shape);
    }

    /** {height, width} with the long side at most {@code longSide}, aspect kept. */
    static long[] downscaledSize(long h, long w, int longSide) {
        long longest = Math.max(h, w);
        if (longest <= longSide) {
            return new long[] {h, w};
        }
        double f = (double) longSide / longest;
        return new long[] {Math.max(1, Math.round(h * f)), Math.max(1, Math.round(w * f))};
    }

    /** A Resize scale that yields exactly {@code to} (ONNX floors in*scale), nudged up past float rounding. */
    private static float resizeScale(long from, long to) {
        float s = (float) to / from;
        while ((long) (from * s) < to || (long) ((double) from * s) < to) {
            s = Math.nextUp(s);
        }
        return s;
    }

    private abstract static class SameShape implements ImageTransform {
        private final String description;

        SameShape(String description) {
            this.description = description;
        }

        @Override
        public long[] outputShape(long[] shape) {
            return shape.clone();
        }

        @Override
        public String describe() {
            return description;
        }
    }
}
