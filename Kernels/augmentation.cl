// Random crop (as a shift of a zero-padded image) and horizontal flip of NCHW images, drawn per
// sample from Philox (philox.cl, earlier in the program) exactly as
// Sources/DescentCore/ImageAugmentation.swift draws them; mirrors
// Sources/DescentCPU/CPUBackend+Augmentation.swift. One work-item per image row (row, sample x
// channels + channel).

__kernel void augment_images(const int batch, const int channels, const int height, const int width,
                             const int padding, const int flip,
                             const ulong seed, const ulong stream, const ulong offset,
                             __global const float* input, const int input_offset,
                             __global float* output, const int output_offset)
{
    const int row = get_global_id(0), image = get_global_id(1);
    if (row >= height || image >= batch * channels) return;
    const int sample = image / channels;
    const uint4 words = philox_block(offset + 4 * (ulong)sample, seed, stream);
    const uint choices = (uint)(2 * padding + 1);
    const int dy = (int)(words.x % choices) - padding, dx = (int)(words.y % choices) - padding;
    const int flipped = flip && (words.z & 1u);
    const int source_row = row + dy;
    __global float* y = output + output_offset + (image * height + row) * width;
    if (source_row < 0 || source_row >= height) {
        for (int column = 0; column < width; column++) y[column] = 0.0f;
        return;
    }
    __global const float* x = input + input_offset + (image * height + source_row) * width;
    for (int column = 0; column < width; column++) {
        const int source_column = (flipped ? width - 1 - column : column) + dx;
        y[column] = (source_column >= 0 && source_column < width) ? x[source_column] : 0.0f;
    }
}
