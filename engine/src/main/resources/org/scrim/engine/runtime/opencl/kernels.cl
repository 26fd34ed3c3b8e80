// Kernels of the OpenCL backend (float32, NCHW, batch 1). Built once per device and set of defines:
//   TX, TY  work-group tile of a convolution's output (chosen from the device's work-group limit)
//   KH, KW, STRIDE  kernel size and stride of a convolution variant; CB input channels it stages per barrier
//   WG      work-group size of reductions and instance normalisation (a power of two; always defined)
//   OCB     output channels per work-item of a convolution (always 8: one float8 accumulator)
//   PX      output pixels along x per work-item of a convolution (always 2: acc0 and acc1)
// Bools are stored as floats 0/1.

#ifdef KH
inline void store8(float8 v, __global float *out, int kb, int K, int ox, int oy, int OW, int OH, int outH, int outW,
                   int osy, int osx, int ory, int orx) {
    if (ox < OW && oy < OH) {
        const float a[OCB] = {v.s0, v.s1, v.s2, v.s3, v.s4, v.s5, v.s6, v.s7};
        const size_t plane = (size_t)outH * outW, at = (size_t)(oy * osy + ory) * outW + ox * osx + orx;
        #pragma unroll
        for (int j = 0; j < OCB; j++) {
            if (kb * OCB + j < K) {
                out[(size_t)(kb * OCB + j) * plane + at] = a[j];
            }
        }
    }
}

#define PH ((TY - 1) * STRIDE + KH)
#define PW ((TX * PX - 1) * STRIDE + KW)

// Direct convolution. The work-group stages the input patch of CB channels at a time in local memory (one barrier
// pair per CB channels), each work-item computes OCB output channels of one pixel. Weights are host-packed as
// [K/8][C/8*8][KH][KW][8], both channel counts zero-padded to multiples of 8 (CB divides 8). Each work-item computes PX neighbouring
// pixels, so every weight vector loaded feeds PX fmas. The output is written at
// (oy*osy+ory, ox*osx+orx) of an outH x outW plane, so one phase of a strided ConvTranspose is this kernel too.
__kernel __attribute__((reqd_work_group_size(TX, TY, 1)))
void conv2d(__global const float *in, __global const float *w, __global const float *bias, __global float *out,
            int C, int H, int W, int K, int OH, int OW, int padY, int padX,
            int outH, int outW, int osy, int osx, int ory, int orx) {
    __local float patch[CB][PH][PW];
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int ox = (get_group_id(0) * TX + lx) * PX, oy = get_group_id(1) * TY + ly;
    const int kb = get_global_id(2);
    const int iy0 = get_group_id(1) * TY * STRIDE - padY, ix0 = get_group_id(0) * TX * PX * STRIDE - padX;
    const int cpad = (C + 7) / 8 * 8;
    float8 acc0 = (float8)(0.0f), acc1 = (float8)(0.0f);
    __global const float *wk = w + (size_t)kb * cpad * KH * KW * OCB;
    for (int c0 = 0; c0 < C; c0 += CB) {
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int cc = 0; cc < CB; cc++) {
            const int c = min(c0 + cc, C - 1);
            __global const float *plane = in + (size_t)c * H * W;
            for (int py = ly; py < PH; py += TY) {
                const int iy = iy0 + py;
                for (int px = lx; px < PW; px += TX) {
                    const int ix = ix0 + px;
                    const float v = plane[clamp(iy, 0, H - 1) * W + clamp(ix, 0, W - 1)];
                    patch[cc][py][px] = (c0 + cc < C && iy >= 0 && iy < H && ix >= 0 && ix < W) ? v : 0.0f;
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int cc = 0; cc < CB; cc++) {
            #pragma unroll
            for (int ky = 0; ky < KH; ky++) {
                #pragma unroll
                for (int kx = 0; kx < KW; kx++) {
                    const float8 wv = vload8(((c0 + cc) * KH + ky) * KW + kx, wk);
                    acc0 = fma((float8)(patch[cc][ly * STRIDE + ky][lx * PX * STRIDE + kx]), wv, acc0);
                    acc1 = fma((float8)(patch[cc][ly * STRIDE + ky][(lx * PX + 1) * STRIDE + kx]), wv, acc1);
                }
            }
        }
    }
    const float8 b = vload8(kb, bias); // added after the sum, as ONNX Runtime's GEMM does
    store8(acc0 + b, out, kb, K, ox, oy, OW, OH, outH, outW, osy, osx, ory, orx);
    store8(acc1 + b, out, kb, K, ox + 1, oy, OW, OH, outH, outW, osy, osx, ory, orx);
}

// Convolution reading its input straight from global memory, for kernels whose windows do not overlap (stride >=
// kernel size: staging a patch buys no reuse) or whose patch does not fit in local memory (a stride-8 8x8 DCT).
// Same arguments and weight packing as conv2d; one output pixel and OCB output channels per work-item. Out-of-image
// taps read a clamped address and are zeroed by a multiply, not skipped.
__kernel void conv2d_global(__global const float *in, __global const float *w, __global const float *bias,
                            __global float *out, int C, int H, int W, int K, int OH, int OW, int padY, int padX,
                            int outH, int outW, int osy, int osx, int ory, int orx) {
    const int ox = get_global_id(0), oy = get_global_id(1), kb = get_global_id(2);
    const int cpad = (C + 7) / 8 * 8;
    const int iy0 = min(oy, OH - 1) * STRIDE - padY, ix0 = min(ox, OW - 1) * STRIDE - padX;
    __global const float *wk = w + (size_t)kb * cpad * KH * KW * OCB;
    float8 acc = (float8)(0.0f);
    for (int c = 0; c < C; c++) {
        __global const float *plane = in + (size_t)c * H * W;
        #pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky;
            const float rowIn = (float)(iy >= 0 && iy < H);
            __global const float *row = plane + clamp(iy, 0, H - 1) * W;
            #pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ix0 + kx;
                const float v = row[clamp(ix, 0, W - 1)] * (rowIn * (float)(ix >= 0 && ix < W));
                acc = fma((float8)(v), vload8((c * KH + ky) * KW + kx, wk), acc);
            }
        }
    }
    store8(acc + vload8(kb, bias), out, kb, K, ox, oy, OW, OH, outH, outW, osy, osx, ory, orx);
}
#endif

// Element-wise ops. The host collapses shapes to at most 4 dimensions; a stride of 0 broadcasts.
// *_same4 variants: every operand has the output's shape and the size is a multiple of 4.
inline int offset4(int i, int4 dims, int4 strides) {
    const int i3 = i % dims.s3, r3 = i / dims.s3;
    const int i2 = r3 % dims.s2, r2 = r3 / dims.s2;
    const int i1 = r2 % dims.s1, i0 = r2 / dims.s1;
    return i0 * strides.s0 + i1 * strides.s1 + i2 * strides.s2 + i3 * strides.s3;
}

#define BINARY(name, expr, expr4)                                                                                     \
__kernel void name(__global const float *A, __global const float *B, __global float *Y, int n, int4 dims,          \
                   int4 sa, int4 sb) {                                                                            \
    const int i = get_global_id(0);                                                                               \
    if (i < n) {                                                                                                  \
        const float a = A[offset4(i, dims, sa)], b = B[offset4(i, dims, sb)];                                     \
        Y[i] = (expr);                                                                                            \
    }                                                                                                             \
}                                                                                                                 \
__kernel void name##_same4(__global const float4 *A, __global const float4 *B, __global float4 *Y) {              \
    const int i = get_global_id(0);                                                                               \
    const float4 a = A[i], b = B[i];                                                                              \
    Y[i] = (expr4);                                                                                               \
}

BINARY(add, a + b, a + b)
BINARY(sub, a - b, a - b)
BINARY(mul, a * b, a * b)
BINARY(div_, a / b, a / b)
BINARY(greater, (float)(a > b), convert_float4(-(a > b))) // vector comparisons give -1 for true
BINARY(greater_equal, (float)(a >= b), convert_float4(-(a >= b)))
BINARY(less_equal, (float)(a <= b), convert_float4(-(a <= b)))
BINARY(max_, fmax(a, b), fmax(a, b))
BINARY(min_, fmin(a, b), fmin(a, b))
BINARY(and_, (float)(a != 0.0f && b != 0.0f), convert_float4(-((a != (float4)(0.0f)) & (b != (float4)(0.0f)))))

__kernel void where(__global const float *Cd, __global const float *A, __global const float *B, __global float *Y,
                    int n, int4 dims, int4 sc, int4 sa, int4 sb) {
    const int i = get_global_id(0);
    if (i < n) {
        Y[i] = select(B[offset4(i, dims, sb)], A[offset4(i, dims, sa)], (int)(Cd[offset4(i, dims, sc)] != 0.0f));
    }
}

__kernel void where_same4(__global const float4 *Cd, __global const float4 *A, __global const float4 *B,
                          __global float4 *Y) {
    const int i = get_global_id(0);
    Y[i] = select(B[i], A[i], Cd[i] != (float4)(0.0f));
}

#define UNARY(name, expr)                                                                                         \
__kernel void name(__global const float *X, __global float *Y, int n, float lo, float hi) {                        \
    const int i = get_global_id(0);                                                                               \
    if (i < n) {                                                                                                  \
        const float x = X[i];                                                                                     \
        Y[i] = (expr);                                                                                            \
    }                                                                                                             \
}                                                                                                                 \
__kernel void name##_same4(__global const float4 *X, __global float4 *Y, float lo, float hi) {                    \
    const int i = get_global_id(0);                                                                               \
    const float4 x = X[i];                                                                                        \
    Y[i] = (expr);                                                                                                \
}

UNARY(relu, fmax(x, 0.0f))
UNARY(sqrt_, sqrt(x))
UNARY(reciprocal, 1.0f / x)
UNARY(neg, -x)
UNARY(abs_, fabs(x))
UNARY(sign_, sign(x))
UNARY(clip, fmin(fmax(x, lo), hi))

__kernel void expand(__global const float *X, __global float *Y, int n, int4 dims, int4 sx) {
    const int i = get_global_id(0);
    if (i < n) {
        Y[i] = X[offset4(i, dims, sx)];
    }
}

inline float tree_sum(__local float *part, float v) {
    const int l = get_local_id(0);
    part[l] = v;
    for (int s = WG / 2; s > 0; s >>= 1) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < s) {
            part[l] += part[l + s];
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const float r = part[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// One work-group per output element: kept axes (collapsed, strides ks) pick the element, reduced axes (collapsed,
// dims rd, strides rs) are summed. SQUARE squares each term; scale turns a sum into a mean.
#define REDUCE(name, term)                                                                                        \
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))                                                          \
void name(__global const float *X, __global float *Y, int4 kd, int4 ks, int4 rd, int4 rs, int R, float scale) {   \
    __local float part[WG];                                                                                       \
    const int base = offset4(get_group_id(0), kd, ks);                                                            \
    float s = 0.0f;                                                                                               \
    for (int r = get_local_id(0); r < R; r += WG) {                                                               \
        const float x = X[base + offset4(r, rd, rs)];                                                             \
        s += (term);                                                                                              \
    }                                                                                                             \
    s = tree_sum(part, s);                                                                                        \
    if (get_local_id(0) == 0) {                                                                                   \
        Y[get_group_id(0)] = s * scale;                                                                           \
    }                                                                                                             \
}

REDUCE(reduce_sum, x)
REDUCE(reduce_sumsq, x * x)

// InstanceNormalization: one work-group per (n, c) plane of S values; mean, then variance of the deviations.
__kernel __attribute__((reqd_work_group_size(WG, 1, 1)))
void instance_norm(__global const float *X, __global const float *scale, __global const float *bias,
                   __global float *Y, int C, int S, float eps) {
    __local float part[WG];
    const int g = get_group_id(0), l = get_local_id(0);
    __global const float *x = X + (size_t)g * S;
    __global float *y = Y + (size_t)g * S;
    float s = 0.0f;
    for (int i = l; i < S; i += WG) {
        s += x[i];
    }
    const float mean = tree_sum(part, s) / S;
    float q = 0.0f;
    for (int i = l; i < S; i += WG) {
        const float d = x[i] - mean;
        q += d * d;
    }
    const float k = scale[g % C] / sqrt(tree_sum(part, q) / S + eps), b = bias[g % C];
    for (int i = l; i < S; i += WG) {
        y[i] = (x[i] - mean) * k + b;
    }
}

// Data movement of Slice, Concat, Split and Pad: a strided region copy. The host collapses the region to at most 4
// dimensions; x0 and y0 are the first element of the region in X and Y (strides may be negative).
__kernel void copy_region(__global const float *X, __global float *Y, int n, int4 dims, int4 sx, int4 sy, int x0,
                          int y0) {
    const int i = get_global_id(0);
    if (i < n) {
        Y[y0 + offset4(i, dims, sy)] = X[x0 + offset4(i, dims, sx)];
    }
}

__kernel void fill(__global float *Y, int n, float v) {
    const int i = get_global_id(0);
    if (i < n) {
        Y[i] = v;
    }
}

// AveragePool (2-D, ceil_mode 0) with one work-item per output. The window is clipped to the image by its loop
// bounds; divisor is the full window (count_include_pad) or the clipped one.
__kernel void avg_pool(__global const float *X, __global float *Y, int n, int H, int W, int OH, int OW, int kh,
                       int kw, int sy, int sx, int py, int px, int includePad) {
    const int i = get_global_id(0);
    if (i < n) {
        const int ox = i % OW, r = i / OW, oy = r % OH, plane = r / OH;
        const int y0 = oy * sy - py, x0 = ox * sx - px;
        const int ya = max(y0, 0), yb = min(y0 + kh, H), xa = max(x0, 0), xb = min(x0 + kw, W);
        __global const float *p = X + (size_t)plane * H * W;
        float s = 0.0f;
        for (int y = ya; y < yb; y++) {
            for (int x = xa; x < xb; x++) {
                s += p[y * W + x];
            }
        }
        Y[i] = s / (float)(includePad ? kh * kw : (yb - ya) * (xb - xa));
    }
}

// Linear Resize of the last two axes. The host tabulates, per output row and per output column, the two source
// indices and the weight of the second (ty: OH x 3, tx: OW x 3, indices stored as floats), so every coordinate
// transformation mode is the same gather of four taps.
__kernel void resize_linear(__global const float *X, __global float *Y, __global const float *ty,
                            __global const float *tx, int n, int H, int W, int OH, int OW) {
    const int i = get_global_id(0);
    if (i < n) {
        const int ox = i % OW, r = i / OW, oy = r % OH, plane = r / OH;
        const float3 a = vload3(oy, ty), b = vload3(ox, tx);
        const int y0 = (int)a.s0, y1 = (int)a.s1, x0 = (int)b.s0, x1 = (int)b.s1;
        __global const float *p = X + (size_t)plane * H * W;
        const float top = p[y0 * W + x0] * (1.0f - b.s2) + p[y0 * W + x1] * b.s2;
        const float bottom = p[y1 * W + x0] * (1.0f - b.s2) + p[y1 * W + x1] * b.s2;
        Y[i] = top * (1.0f - a.s2) + bottom * a.s2;
    }
}

// Batched MatMul Y[b] = A[b] (M x K) * B[b] (K x N); a batch stride of 0 broadcasts an operand. Work-items along
// x walk consecutive columns, so B's rows are read contiguously and A's element is shared.
/* Y = X with its last two axes swapped, per batch: X is [batch, R, C], Y [batch, C, R]. */
__kernel void transpose_last2(__global const float *X, __global float *Y, int R, int C) {
    const int c = get_global_id(0), r = get_global_id(1), b = get_global_id(2);
    if (c < C && r < R) {
        Y[((size_t)b * C + c) * R + r] = X[((size_t)b * R + r) * C + c];
    }
}

__kernel void matmul(__global const float *A, __global const float *B, __global float *Y, int M, int N, int K,
                     int sa, int sb, int batch) {
    const int j = get_global_id(0), m = get_global_id(1), b = get_global_id(2);
    if (j < N && m < M) {
        __global const float *a = A + (size_t)b * sa + (size_t)m * K;
        __global const float *q = B + (size_t)b * sb + j;
        float s = 0.0f;
        for (int k = 0; k < K; k++) {
            s = fma(a[k], q[(size_t)k * N], s);
        }
        Y[((size_t)b * M + m) * N + j] = s;
    }
}
