// Elementwise arithmetic over equally sized views. Mirrors
// Sources/DescentCPU/CPUBackend+Elementwise.swift. Outputs may alias inputs exactly.

#define BINARY_KERNEL(name, expression)                                                    \
__kernel void name(const int count,                                                        \
                   __global const float* a, const int a_offset,                            \
                   __global const float* b, const int b_offset,                            \
                   __global float* output, const int output_offset)                        \
{                                                                                          \
    const int i = get_global_id(0);                                                        \
    if (i >= count) return;                                                                \
    const float x = a[a_offset + i], y = b[b_offset + i];                                  \
    output[output_offset + i] = expression;                                                \
}

BINARY_KERNEL(elementwise_add, x + y)
BINARY_KERNEL(elementwise_subtract, x - y)
BINARY_KERNEL(elementwise_multiply, x * y)

__kernel void scale(const int count, const float factor,
                    __global const float* input, const int input_offset,
                    __global float* output, const int output_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    output[output_offset + i] = factor * input[input_offset + i];
}

// y += alpha * x. Multiply and add are kept separate (no fused multiply-add) to match the CPU.
#pragma OPENCL FP_CONTRACT OFF
__kernel void axpy(const int count, const float alpha,
                   __global const float* x, const int x_offset,
                   __global float* y, const int y_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    y[y_offset + i] += alpha * x[x_offset + i];
}
#pragma OPENCL FP_CONTRACT ON
