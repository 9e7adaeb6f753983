// The device's own limits, measured by descent-bench so that each benchmark row can show its
// share of the peak: streaming bandwidth (a copy) and arithmetic throughput (chains of FMAs).

// Copies `count4` float4 values: 8 bytes moved per float, read once and written once.
__kernel void stream_copy(__global const float4* restrict source, __global float4* restrict destination, int count4) {
    int i = get_global_id(0);
    if (i < count4) destination[i] = source[i];
}

// Eight independent float8 chains of `iterations` fused multiply-adds each (128 floating-point
// operations per iteration per work-item): float8 fills a 256-bit FMA unit (AVX2) and eight chains
// hide its latency; GPUs split the vectors across lanes. The sum is stored so that the compiler
// cannot drop the chains. The global size is rounded up to whole work-groups; the items past
// `count` compute but do not store.
__kernel void fma_chain(__global float* output, int count, int iterations, float multiplier) {
    float base = (float)get_global_id(0) * 1e-6f;
    float8 x0 = base + (float8)(0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f), x1 = x0 + 0.01f, x2 = x0 + 0.02f;
    float8 x3 = x0 + 0.03f, x4 = x0 + 0.04f, x5 = x0 + 0.05f, x6 = x0 + 0.06f, x7 = x0 + 0.07f;
    const float8 m = (float8)(multiplier), c = (float8)(1e-7f);
    for (int i = 0; i < iterations; i++) {
        x0 = fma(x0, m, c); x1 = fma(x1, m, c); x2 = fma(x2, m, c); x3 = fma(x3, m, c);
        x4 = fma(x4, m, c); x5 = fma(x5, m, c); x6 = fma(x6, m, c); x7 = fma(x7, m, c);
    }
    float8 sum = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7));
    float4 folded = sum.lo + sum.hi;
    if (get_global_id(0) < count) output[get_global_id(0)] = folded.x + folded.y + folded.z + folded.w;
}
