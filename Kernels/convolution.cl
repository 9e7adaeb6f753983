// 2-D convolution lowered to one matmul (Sources/DescentOpenCL/OpenCLBackend+Convolution.swift):
// im2col writes the batch's patches as a [K, N*P] matrix (K = C*KH*KW rows, one column per
// output position of every image), the tuned matmul multiplies, and these kernels move the
// product between its channel-major [O, N*P] order and NCHW. The input gradient gathers the
// patches' gradient back (col2im as a gather): one work-item per input element sums its own
// terms in a fixed order, so no atomics and the same result every run. Mirrors
// Sources/DescentCPU/CPUBackend+Convolution.swift. Each work-item handles a row of values, found
// from its 2-D or 3-D id, so that no work-item divides per element to find its place (integer
// division is slow on CPUs and not vectorized); on PoCL this was 3-9x faster than one work-item
// per element.

// One work-item per (output row y, patch row k = (c, i, j), sample n): the output row's
// output_width patch-matrix elements.
__kernel void convolution_im2col(const int batch, const int channels, const int height, const int width,
                                 const int kernel_height, const int kernel_width,
                                 const int stride, const int padding,
                                 const int output_height, const int output_width,
                                 __global const float* input, const int input_offset,
                                 __global float* patches, const int patches_offset)
{
    const int y = get_global_id(0), row = get_global_id(1), sample = get_global_id(2);
    if (y >= output_height || row >= channels * kernel_height * kernel_width || sample >= batch) return;
    const int j = row % kernel_width, i = (row / kernel_width) % kernel_height;
    const int channel = row / (kernel_width * kernel_height);
    const int positions = output_height * output_width;
    __global float* out = patches + patches_offset + row * (batch * positions) + sample * positions
                          + y * output_width;
    const int source_y = y * stride - padding + i;
    if (source_y < 0 || source_y >= height) {
        for (int x = 0; x < output_width; x++) out[x] = 0.0f;
        return;
    }
    __global const float* in = input + input_offset + ((sample * channels + channel) * height + source_y) * width;
    for (int x = 0; x < output_width; x++) {
        const int source_x = x * stride - padding + j;
        out[x] = (source_x >= 0 && source_x < width) ? in[source_x] : 0.0f;
    }
}

// One work-item per input row (y, sample n x channels + c): for each of its elements, the sum
// over kernel rows i, then columns j, of the patch entries that read it.
__kernel void convolution_col2im(const int batch, const int channels, const int height, const int width,
                                 const int kernel_height, const int kernel_width,
                                 const int stride, const int padding,
                                 const int output_height, const int output_width,
                                 __global const float* patches, const int patches_offset,
                                 __global float* input_gradient, const int input_gradient_offset)
{
    const int y = get_global_id(0), image = get_global_id(1);
    if (y >= height || image >= batch * channels) return;
    const int channel = image % channels, sample = image / channels;
    const int positions = output_height * output_width;
    const int row_length = batch * positions;
    __global const float* columns = patches + patches_offset + sample * positions;
    __global float* out = input_gradient + input_gradient_offset + (image * height + y) * width;
    for (int x = 0; x < width; x++) {
        float sum = 0.0f;
        for (int i = 0; i < kernel_height; i++) {
            const int shifted_y = y + padding - i;
            if (shifted_y < 0 || shifted_y % stride != 0 || shifted_y / stride >= output_height) continue;
            const int output_y = shifted_y / stride;
            for (int j = 0; j < kernel_width; j++) {
                const int shifted_x = x + padding - j;
                if (shifted_x < 0 || shifted_x % stride != 0 || shifted_x / stride >= output_width) continue;
                const int row = (channel * kernel_height + i) * kernel_width + j;
                sum += columns[row * row_length + output_y * output_width + shifted_x / stride];
            }
        }
        out[x] = sum;
    }
}

// NCHW output[n, o, p] = product[o, n*P + p] + bias[o] (bias may be NULL); one work-item per
// (o, n) copies its P positions.
__kernel void convolution_to_nchw(const int batch, const int channels, const int positions,
                                  __global const float* product, const int product_offset,
                                  __global const float* bias, const int bias_offset,
                                  __global float* output, const int output_offset)
{
    const int channel = get_global_id(0), sample = get_global_id(1);
    if (channel >= channels || sample >= batch) return;
    const float add = bias ? bias[bias_offset + channel] : 0.0f;
    __global const float* from = product + product_offset + (channel * batch + sample) * positions;
    __global float* to = output + output_offset + (sample * channels + channel) * positions;
    for (int p = 0; p < positions; p++) to[p] = from[p] + add;
}

// Channel-major product[o, n*P + p] = NCHW gradient[n, o, p]; one work-item per (o, n) copies its
// P positions.
__kernel void convolution_to_channel_major(const int batch, const int channels, const int positions,
                                           __global const float* gradient, const int gradient_offset,
                                           __global float* product, const int product_offset)
{
    const int channel = get_global_id(0), sample = get_global_id(1);
    if (channel >= channels || sample >= batch) return;
    __global const float* from = gradient + gradient_offset + (sample * channels + channel) * positions;
    __global float* to = product + product_offset + (channel * batch + sample) * positions;
    for (int p = 0; p < positions; p++) to[p] = from[p];
}
