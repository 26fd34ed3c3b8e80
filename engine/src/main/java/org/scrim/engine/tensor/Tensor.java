package org.scrim.engine.tensor;

import java.util.Arrays;

/** A dense float32 tensor in row-major (C) order: the engine's one in-memory array type. */
public final class Tensor {
    private final long[] shape;
    private final float[] data;

    public Tensor(float[] data, long... shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(long... shape) {
        return new Tensor(new float[Math.toIntExact(numel(shape))], shape);
    }

    public static long numel(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    public int rank() {
        return shape.length;
    }

    /** The backing array (not a copy): the engine hands it to runtimes without copying. */
    public float[] data() {
        return data;
    }

    public int size() {
        return data.length;
    }

    public float maxAbs() {
        float m = 0;
        for (float v : data) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Largest absolute difference to {@code other}, which must have the same shape. */
    public float maxAbsDiff(Tensor other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException(
                    "shape mismatch: " + Arrays.toString(shape) + " vs " + Arrays.toString(other.shape));
        }
        float m = 0;
        for (int i = 0; i < data.length; i++) {
            m = Math.max(m, Math.abs(data[i] - other.data[i]));
        }
        return m;
    }

    /** Sum of squared differences to {@code other} (same size), accumulated in double. */
    public double squaredDistance(Tensor other) {
        if (other.data.length != data.length) {
            throw new IllegalArgumentException("size mismatch: " + Arrays.toString(shape) + " vs "
                    + Arrays.toString(other.shape));
        }
        double s = 0;
        for (int i = 0; i < data.length; i++) {
            double d = data[i] - other.data[i];
            s += d * d;
        }
        return s;
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public Tensor reshape(long... newShape) {
        return new Tensor(data, newShape);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
