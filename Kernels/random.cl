// Random fills: uniform and normal, element i from counter position offset + i (see philox.cl,
// earlier in the program, and Sources/DescentCore/Philox.swift). No fused multiply-add, as there.

#pragma OPENCL FP_CONTRACT OFF

__kernel void random_uniform(const int count, const ulong seed, const ulong stream, const ulong offset,
                             const float low, const float high,
                             __global float* output, const int output_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    const ulong index = offset + (ulong)i;
    const uint4 bits = philox_block(index, seed, stream);
    const uint words[4] = { bits.x, bits.y, bits.z, bits.w };
    const float value = low + (high - low) * unit_uniform(words[index % 4]);
    // Rounding can reach `high` when floats near it are coarse; the interval is half-open.
    output[output_offset + i] = (value >= high && high > low) ? nextafter(high, low) : value;
}

__kernel void random_normal(const int count, const ulong seed, const ulong stream, const ulong offset,
                            const float mean, const float standard_deviation,
                            __global float* output, const int output_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    const ulong index = offset + (ulong)i;
    const uint4 bits = philox_block(index, seed, stream);
    const uint words[4] = { bits.x, bits.y, bits.z, bits.w };
    const uint lane = (uint)(index % 4);
    const uint pair = lane & 2u;
    output[output_offset + i] = mean + standard_deviation * standard_normal(words[pair], words[pair + 1], lane & 1u);
}

#pragma OPENCL FP_CONTRACT ON
