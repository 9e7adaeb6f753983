// output[r, c] = input[r, c] + bias[c]. Mirrors Sources/DescentCPU/CPUBackend+Bias.swift.
// The bias gradient (the column sum) is reduce_columns in reduction.cl.

__kernel void add_bias(const int rows, const int columns,
                       __global const float* input, const int input_offset,
                       __global const float* bias, const int bias_offset,
                       __global float* output, const int output_offset)
{
    const int index = get_global_id(0);
    if (index >= rows * columns) return;
    output[output_offset + index] = input[input_offset + index] + bias[bias_offset + index % columns];
}
