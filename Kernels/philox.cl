// Philox4x32-10 and its float transforms, bit-identical to Sources/DescentCore/Philox.swift,
// which documents the layout and the transforms; this file mirrors it operation for operation.
// Only + - * are used on floats (never log, sqrt, sin, cos or division, whose accuracy varies by
// vendor), and fused multiply-add is off, so every conforming device rounds identically.
// This file has no kernels; random.cl and dropout.cl use it. All kernels are one program, and a
// pragma holds to the end of it: contraction is switched off here and back on at the end of the
// file, and random.cl and dropout.cl switch it off for themselves.

#pragma OPENCL FP_CONTRACT OFF

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

uint4 philox4x32_10(uint4 counter, uint2 key)
{
    for (int round = 0; round < 10; round++) {
        if (round > 0) { key.x += PHILOX_W0; key.y += PHILOX_W1; }
        const uint high0 = mul_hi(PHILOX_M0, counter.x), low0 = PHILOX_M0 * counter.x;
        const uint high1 = mul_hi(PHILOX_M1, counter.z), low1 = PHILOX_M1 * counter.z;
        counter = (uint4)(high1 ^ counter.y ^ key.x, low1, high0 ^ counter.w ^ key.y, low0);
    }
    return counter;
}

uint4 philox_block(const ulong index, const ulong seed, const ulong stream)
{
    const ulong block = index / 4;
    return philox4x32_10((uint4)((uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32)),
                         (uint2)((uint)seed, (uint)(seed >> 32)));
}

float unit_uniform(const uint x)
{
    return (float)(x >> 8) * as_float(0x33800000u);
}

float philox_logarithm(const float x)
{
    const uint bits = as_uint(x);
    int exponent = (int)((bits >> 23) & 0xFFu) - 127;
    float mantissa = as_float((bits & 0x007FFFFFu) | 0x3F800000u);
    if (mantissa > as_float(0x3FB504F3u)) {
        mantissa = mantissa * 0.5f;
        exponent += 1;
    }
    const float f = mantissa - 1.0f;
    const float d = 2.0f + f;
    float reciprocal = as_float(0x3EF876CEu);
    for (int i = 0; i < 4; i++) reciprocal = reciprocal * (2.0f - d * reciprocal);
    const float s = f * reciprocal;
    const float s2 = s * s;
    float series = s2 * as_float(0x3DBA2E8Cu);
    series = s2 * (as_float(0x3DE38E39u) + series);
    series = s2 * (as_float(0x3E124925u) + series);
    series = s2 * (as_float(0x3E4CCCCDu) + series);
    series = s2 * (as_float(0x3EAAAAABu) + series);
    const float log_mantissa = (2.0f * s) * (1.0f + series);
    return (float)exponent * as_float(0x3F317218u) + log_mantissa;
}

float philox_square_root(const float y)
{
    if (!(y > 0.0f)) return 0.0f;
    float r = as_float(0x5F3759DFu - (as_uint(y) >> 1));
    const float half_y = 0.5f * y;
    for (int i = 0; i < 3; i++) r = r * (1.5f - (half_y * r) * r);
    return y * r;
}

// Writes cos and sin of 2 pi n / 2^24 (see Philox.cosineAndSine in Philox.swift).
void philox_cosine_sine(const uint n, float* cosine_out, float* sine_out)
{
    const uint octant = n >> 21;
    const uint remainder = n & 0x1FFFFFu;
    const bool is_odd = (octant & 1u) == 1u;
    const uint steps = is_odd ? 0x200000u - remainder : remainder;
    const float phi = (float)steps * as_float(0x34C90FDBu);
    const float p2 = phi * phi;
    float sine = p2 * as_float(0x3638EF1Du);
    sine = p2 * (as_float(0xB9500D01u) + sine);
    sine = p2 * (as_float(0x3C088889u) + sine);
    sine = p2 * (as_float(0xBE2AAAABu) + sine);
    sine = phi * (1.0f + sine);
    float cosine = p2 * as_float(0xB493F27Eu);
    cosine = p2 * (as_float(0x37D00D01u) + cosine);
    cosine = p2 * (as_float(0xBAB60B61u) + cosine);
    cosine = p2 * (as_float(0x3D2AAAABu) + cosine);
    cosine = p2 * (-0.5f + cosine);
    cosine = 1.0f + cosine;
    if (is_odd) sine = -sine;
    const uint quadrant = ((octant + 1u) >> 1) & 3u;
    if (quadrant == 0u) { *cosine_out = cosine; *sine_out = sine; }
    else if (quadrant == 1u) { *cosine_out = -sine; *sine_out = cosine; }
    else if (quadrant == 2u) { *cosine_out = -cosine; *sine_out = -sine; }
    else { *cosine_out = sine; *sine_out = -cosine; }
}

// Lane 0 (r cos theta) or lane 1 (r sin theta) of the Box-Muller pair from words x0, x1.
float standard_normal(const uint x0, const uint x1, const uint lane)
{
    const float u1 = (float)((x0 >> 8) + 1u) * as_float(0x33800000u);
    const float radius = philox_square_root(-2.0f * philox_logarithm(u1));
    float cosine, sine;
    philox_cosine_sine(x1 >> 8, &cosine, &sine);
    return radius * (lane == 0u ? cosine : sine);
}

#pragma OPENCL FP_CONTRACT ON
