// Inverted dropout, forward and backward (the same map): destination = source * scale where the
// Philox mask keeps the unit, else 0. Mirrors Sources/DescentCPU/CPUBackend+Dropout.swift and
// the rule of Sources/DescentCore/Dropout.swift. philox.cl comes earlier in the program. No fused
// multiply-add here either, so the kept values are identical on every device.

#pragma OPENCL FP_CONTRACT OFF

__kernel void dropout_apply(const int count, const ulong seed, const ulong stream, const ulong offset,
                            const float probability, const float scale,
                            __global const float* source, const int source_offset,
                            __global float* destination, const int destination_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    const ulong index = offset + (ulong)i;
    const uint4 bits = philox_block(index, seed, stream);
    const uint words[4] = { bits.x, bits.y, bits.z, bits.w };
    const bool kept = unit_uniform(words[index % 4]) >= probability;
    destination[destination_offset + i] = kept ? source[source_offset + i] * scale : 0.0f;
}

#pragma OPENCL FP_CONTRACT ON
