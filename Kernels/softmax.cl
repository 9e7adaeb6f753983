// Row-wise softmax, forward and backward. Mirrors Sources/DescentCPU/CPUBackend+Softmax.swift.
// One work-group of GROUP_SIZE (a power of two) work-items per row; each work-item strides over
// the row, then the group combines in local memory (group.cl, earlier in the program). Output
// may alias input exactly: every read of a row finishes (barrier) before its first write.

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void softmax_forward(const int columns,
                     __global const float* input, const int input_offset,
                     __global float* output, const int output_offset)
{
    __local float scratch[GROUP_SIZE];
    const int lid = get_local_id(0);
    __global const float* x = input + input_offset + get_group_id(0) * columns;
    __global float* y = output + output_offset + get_group_id(0) * columns;

    float row_max = -INFINITY;
    for (int c = lid; c < columns; c += GROUP_SIZE)
        if (x[c] > row_max || isnan(x[c])) row_max = x[c];
    row_max = group_max(scratch, row_max);

    float total = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) total += exp(x[c] - row_max);
    total = group_sum(scratch, total);

    for (int c = lid; c < columns; c += GROUP_SIZE) y[c] = exp(x[c] - row_max) / total;
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void softmax_backward(const int columns,
                      __global const float* output, const int output_offset,
                      __global const float* output_gradient, const int output_gradient_offset,
                      __global float* input_gradient, const int input_gradient_offset)
{
    __local float scratch[GROUP_SIZE];
    const int lid = get_local_id(0);
    const int row_start = get_group_id(0) * columns;
    __global const float* y = output + output_offset + row_start;
    __global const float* dy = output_gradient + output_gradient_offset + row_start;
    __global float* dx = input_gradient + input_gradient_offset + row_start;

    float dot = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) dot += dy[c] * y[c];
    dot = group_sum(scratch, dot);

    for (int c = lid; c < columns; c += GROUP_SIZE) dx[c] = y[c] * (dy[c] - dot);
}
