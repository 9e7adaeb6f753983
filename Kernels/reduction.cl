// Reductions over all elements, each row, each column; argmax per row. Mirrors
// Sources/DescentCPU/CPUBackend+Reduction.swift. `operation`: 0 sum, 1 mean, 2 max,
// 3 sum of squares. max propagates NaN, as in PyTorch.
//
// reduce_all is two launches: reduce_all_partial leaves one value per work-group in `partial`,
// reduce_all_final combines those with one work-group. Rows use one work-group per row; columns
// one work-item per column, walking down the rows (consecutive work-items read consecutive
// addresses). GROUP_SIZE is group.cl's, earlier in the program.
// REDUCE_* are generated from Sources/DescentOpenCL/KernelCodes.swift at the top of the program.

float reduction_identity(const int operation)
{
    return operation == REDUCE_MAX ? -INFINITY : 0.0f;
}

float reduction_combine(const int operation, const float accumulated, const float value)
{
    if (operation == REDUCE_MAX) return (value > accumulated || isnan(value)) ? value : accumulated;
    return accumulated + value;
}

// What one element contributes: its square for REDUCE_SUM_OF_SQUARES, else itself.
float reduction_input(const int operation, const float x)
{
    return operation == REDUCE_SUM_OF_SQUARES ? x * x : x;
}

float reduction_finish(const int operation, const float value, const int count)
{
    return operation == REDUCE_MEAN ? value / (float)count : value;
}

float group_reduce(__local float* scratch, const int operation, const float value)
{
    const int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP_SIZE / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] = reduction_combine(operation, scratch[lid], scratch[lid + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return scratch[0];
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void reduce_all_partial(const int operation, const int count,
                        __global const float* input, const int input_offset,
                        __global float* partial)
{
    __local float scratch[GROUP_SIZE];
    float accumulated = reduction_identity(operation);
    for (int i = get_global_id(0); i < count; i += get_global_size(0))
        accumulated = reduction_combine(operation, accumulated, reduction_input(operation, input[input_offset + i]));
    accumulated = group_reduce(scratch, operation, accumulated);
    if (get_local_id(0) == 0) partial[get_group_id(0)] = accumulated;
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void reduce_all_final(const int operation, const int partial_count, const int count,
                      __global const float* partial,
                      __global float* output, const int output_offset)
{
    __local float scratch[GROUP_SIZE];
    float accumulated = reduction_identity(operation);
    for (int i = get_local_id(0); i < partial_count; i += GROUP_SIZE)
        accumulated = reduction_combine(operation, accumulated, partial[i]);
    accumulated = group_reduce(scratch, operation, accumulated);
    if (get_local_id(0) == 0) output[output_offset] = reduction_finish(operation, accumulated, count);
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void reduce_rows(const int operation, const int columns,
                 __global const float* input, const int input_offset,
                 __global float* output, const int output_offset)
{
    __local float scratch[GROUP_SIZE];
    const int row = get_group_id(0);
    __global const float* x = input + input_offset + row * columns;
    float accumulated = reduction_identity(operation);
    for (int c = get_local_id(0); c < columns; c += GROUP_SIZE)
        accumulated = reduction_combine(operation, accumulated, reduction_input(operation, x[c]));
    accumulated = group_reduce(scratch, operation, accumulated);
    if (get_local_id(0) == 0) output[output_offset + row] = reduction_finish(operation, accumulated, columns);
}

__kernel void reduce_columns(const int operation, const int rows, const int columns,
                             __global const float* input, const int input_offset,
                             __global float* output, const int output_offset)
{
    const int column = get_global_id(0);
    if (column >= columns) return;
    float accumulated = reduction_identity(operation);
    for (int r = 0; r < rows; r++)
        accumulated = reduction_combine(operation, accumulated,
                                        reduction_input(operation, input[input_offset + r * columns + column]));
    output[output_offset + column] = reduction_finish(operation, accumulated, rows);
}

// Whether (value, index) should replace (best, best_index): NaN beats numbers, larger beats
// smaller, and among equals (or NaNs) the lower index wins.
bool argmax_prefers(const float value, const int index, const float best, const int best_index)
{
    if (isnan(value) || isnan(best)) {
        if (isnan(value) && isnan(best)) return index < best_index;
        return isnan(value);
    }
    return value > best || (value == best && index < best_index);
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void argmax_rows(const int columns,
                 __global const float* input, const int input_offset,
                 __global int* output, const int output_offset)
{
    __local float values[GROUP_SIZE];
    __local int indices[GROUP_SIZE];
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    __global const float* x = input + input_offset + row * columns;

    float best = -INFINITY;
    int best_index = columns;
    for (int c = lid; c < columns; c += GROUP_SIZE)
        if (argmax_prefers(x[c], c, best, best_index)) { best = x[c]; best_index = c; }
    values[lid] = best;
    indices[lid] = best_index;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP_SIZE / 2; stride > 0; stride >>= 1) {
        if (lid < stride && argmax_prefers(values[lid + stride], indices[lid + stride], values[lid], indices[lid])) {
            values[lid] = values[lid + stride];
            indices[lid] = indices[lid + stride];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) output[output_offset + row] = indices[0];
}
