// 2-D max and average pooling over NCHW images, forward and backward, without padding. The
// backward passes are gathers: one work-item per input element sums the gradients of the windows
// that hold it (max pooling: the windows whose largest value it is, found again from the input),
// in row-major window order, so no atomics and the same result every run. Mirrors
// Sources/DescentCPU/CPUBackend+Pooling.swift.

// The input index of the largest value of window (row, column) of `image`: the first in row-major
// order, a NaN counting as larger than any number (the first NaN wins).
int pooling_largest(__global const float* x, const int image, const int row, const int column,
                    const int height, const int width, const int window_height, const int window_width,
                    const int stride)
{
    int best = (image * height + row * stride) * width + column * stride;
    for (int i = 0; i < window_height; i++) {
        for (int j = 0; j < window_width; j++) {
            const int index = (image * height + row * stride + i) * width + column * stride + j;
            if (x[index] > x[best] || (isnan(x[index]) && !isnan(x[best]))) best = index;
        }
    }
    return best;
}

#define POOLING_PARAMETERS const int images, const int height, const int width, \
    const int window_height, const int window_width, const int stride, \
    const int output_height, const int output_width

// Forward passes: one work-item per output row (row, image) computes its output_width values.
__kernel void max_pool_forward(POOLING_PARAMETERS,
                               __global const float* input, const int input_offset,
                               __global float* output, const int output_offset)
{
    const int row = get_global_id(0), image = get_global_id(1);
    if (row >= output_height || image >= images) return;
    __global const float* x = input + input_offset;
    __global float* y = output + output_offset + (image * output_height + row) * output_width;
    for (int column = 0; column < output_width; column++)
        y[column] = x[pooling_largest(x, image, row, column, height, width, window_height, window_width, stride)];
}

__kernel void average_pool_forward(POOLING_PARAMETERS,
                                   __global const float* input, const int input_offset,
                                   __global float* output, const int output_offset)
{
    const int row = get_global_id(0), image = get_global_id(1);
    if (row >= output_height || image >= images) return;
    __global const float* x = input + input_offset;
    __global float* y = output + output_offset + (image * output_height + row) * output_width;
    for (int column = 0; column < output_width; column++) {
        float sum = 0.0f;
        for (int i = 0; i < window_height; i++)
            for (int j = 0; j < window_width; j++)
                sum += x[(image * height + row * stride + i) * width + column * stride + j];
        y[column] = sum / (float)(window_height * window_width);
    }
}

// The output rows (or columns) whose window holds input row (or column) `position`.
#define WINDOWS_HOLDING(position, window, outputs, first, end) \
    const int first = (position) >= (window) ? ((position) - (window)) / stride + 1 : 0; \
    const int end = min((position) / stride + 1, (outputs));

// Backward gathers: one work-item per input (x, y, image).
__kernel void max_pool_backward(POOLING_PARAMETERS,
                                __global const float* input, const int input_offset,
                                __global const float* output_gradient, const int output_gradient_offset,
                                __global float* input_gradient, const int input_gradient_offset)
{
    const int x = get_global_id(0), y = get_global_id(1), image = get_global_id(2);
    if (x >= width || y >= height || image >= images) return;
    const int index = (image * height + y) * width + x;
    __global const float* values = input + input_offset;
    __global const float* dy = output_gradient + output_gradient_offset;
    WINDOWS_HOLDING(y, window_height, output_height, first_row, end_row)
    WINDOWS_HOLDING(x, window_width, output_width, first_column, end_column)
    float sum = 0.0f;
    for (int row = first_row; row < end_row; row++)
        for (int column = first_column; column < end_column; column++)
            if (pooling_largest(values, image, row, column, height, width, window_height, window_width, stride) == index)
                sum += dy[(image * output_height + row) * output_width + column];
    input_gradient[input_gradient_offset + index] = sum;
}

__kernel void average_pool_backward(POOLING_PARAMETERS,
                                    __global const float* output_gradient, const int output_gradient_offset,
                                    __global float* input_gradient, const int input_gradient_offset)
{
    const int x = get_global_id(0), y = get_global_id(1), image = get_global_id(2);
    if (x >= width || y >= height || image >= images) return;
    const int index = (image * height + y) * width + x;
    __global const float* dy = output_gradient + output_gradient_offset;
    WINDOWS_HOLDING(y, window_height, output_height, first_row, end_row)
    WINDOWS_HOLDING(x, window_width, output_width, first_column, end_column)
    const float size = (float)(window_height * window_width);
    float sum = 0.0f;
    for (int row = first_row; row < end_row; row++)
        for (int column = first_column; column < end_column; column++)
            sum += dy[(image * output_height + row) * output_width + column] / size;
    input_gradient[input_gradient_offset + index] = sum;
}

// Max pooling backward when windows do not overlap (stride >= window), on an input gradient
// already filled with zeros: one work-item per output row (row, image) writes each window's
// gradient to its largest input, which no other window holds, so the result is the gather's.
__kernel void max_pool_backward_disjoint(POOLING_PARAMETERS,
                                         __global const float* input, const int input_offset,
                                         __global const float* output_gradient, const int output_gradient_offset,
                                         __global float* input_gradient, const int input_gradient_offset)
{
    const int row = get_global_id(0), image = get_global_id(1);
    if (row >= output_height || image >= images) return;
    __global const float* dy = output_gradient + output_gradient_offset + (image * output_height + row) * output_width;
    for (int column = 0; column < output_width; column++) {
        const int largest = pooling_largest(input + input_offset, image, row, column, height, width,
                                            window_height, window_width, stride);
        input_gradient[input_gradient_offset + largest] = dy[column];
    }
}

#undef WINDOWS_HOLDING
#undef POOLING_PARAMETERS
