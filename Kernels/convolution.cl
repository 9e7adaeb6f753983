// 2-D convolution lowered to one matmul (Sources/DescentOpenCL/OpenCLBackend+Convolution.swift):
// im2col writes the batch's patches as a [K, N*P] matrix (K = C*KH*KW rows, one column per
// output position of every image), the tuned matmul multiplies, and these kernels move the
// product between its channel-major [O, N*P] order and NCHW. The input gradient gathers the
// patches' gradient back (col2im as a gather): one work-item per input element sums its own
// terms in a fixed order, so no atomics and the same result every run. Mirrors
// Sources/DescentCPU/CPUBackend+Convolution.swift.

// One work-item per patch-matrix element: row (c, i, j), column (n, y, x).
__kernel void convolution_im2col(const int batch, const int channels, const int height, const int width,
                                 const int kernel_height, const int kernel_width,
                                 const int stride, const int padding,
                                 const int output_height, const int output_width,
                                 __global const float* input, const int input_offset,
                                 __global float* patches, const int patches_offset)
{
    const int positions = output_height * output_width;
    const int row_length = batch * positions;
    const int index = get_global_id(0);
    if (index >= channels * kernel_height * kernel_width * row_length) return;
    const int row = index / row_length, column = index % row_length;
    const int j = row % kernel_width, i = (row / kernel_width) % kernel_height;
    const int channel = row / (kernel_width * kernel_height);
    const int sample = column / positions, position = column % positions;
    const int y = (position / output_width) * stride - padding + i;
    const int x = (position % output_width) * stride - padding + j;
    const int inside = y >= 0 && y < height && x >= 0 && x < width;
    patches[patches_offset + index] =
        inside ? input[input_offset + ((sample * channels + channel) * height + y) * width + x] : 0.0f;
}

// One work-item per input element: the sum over kernel rows i, then columns j, of the patch
// entries that read it.
__kernel void convolution_col2im(const int batch, const int channels, const int height, const int width,
                                 const int kernel_height, const int kernel_width,
                                 const int stride, const int padding,
                                 const int output_height, const int output_width,
                                 __global const float* patches, const int patches_offset,
                                 __global float* input_gradient, const int input_gradient_offset)
{
    const int index = get_global_id(0);
    if (index >= batch * channels * height * width) return;
    const int x = index % width, y = (index / width) % height;
    const int channel = (index / (width * height)) % channels, sample = index / (width * height * channels);
    const int positions = output_height * output_width;
    const int row_length = batch * positions;
    float sum = 0.0f;
    for (int i = 0; i < kernel_height; i++) {
        const int shifted_y = y + padding - i;
        if (shifted_y < 0 || shifted_y % stride != 0 || shifted_y / stride >= output_height) continue;
        const int output_y = shifted_y / stride;
        for (int j = 0; j < kernel_width; j++) {
            const int shifted_x = x + padding - j;
            if (shifted_x < 0 || shifted_x % stride != 0 || shifted_x / stride >= output_width) continue;
            const int row = (channel * kernel_height + i) * kernel_width + j;
            sum += patches[patches_offset + row * row_length + sample * positions
                           + output_y * output_width + shifted_x / stride];
        }
    }
    input_gradient[input_gradient_offset + index] = sum;
}

// NCHW output[n, o, p] = product[o, n*P + p] + bias[o] (bias may be NULL).
__kernel void convolution_to_nchw(const int batch, const int channels, const int positions,
                                  __global const float* product, const int product_offset,
                                  __global const float* bias, const int bias_offset,
                                  __global float* output, const int output_offset)
{
    const int index = get_global_id(0);
    if (index >= batch * channels * positions) return;
    const int position = index % positions, channel = (index / positions) % channels;
    const int sample = index / (positions * channels);
    const float add = bias ? bias[bias_offset + channel] : 0.0f;
    output[output_offset + index] = product[product_offset + (channel * batch + sample) * positions + position] + add;
}

// Channel-major product[o, n*P + p] = NCHW gradient[n, o, p].
__kernel void convolution_to_channel_major(const int batch, const int channels, const int positions,
                                           __global const float* gradient, const int gradient_offset,
                                           __global float* product, const int product_offset)
{
    const int index = get_global_id(0);
    if (index >= batch * channels * positions) return;
    const int position = index % positions, sample = (index / positions) % batch;
    const int channel = index / (positions * batch);
    product[product_offset + index] = gradient[gradient_offset + (sample * channels + channel) * positions + position];
}
