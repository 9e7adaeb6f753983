// Random crop (as a shift of a zero-padded image) and horizontal flip of NCHW images, drawn per
// sample from Philox (philox.cl, earlier in the program) exactly as
// Sources/DescentCore/ImageAugmentation.swift draws them; mirrors
// Sources/DescentCPU/CPUBackend+Augmentation.swift. One work-item per output element.

__kernel void augment_images(const int batch, const int channels, const int height, const int width,
                             const int padding, const int flip,
                             const ulong seed, const ulong stream, const ulong offset,
                             __global const float* input, const int input_offset,
                             __global float* output, const int output_offset)
{
    const int index = get_global_id(0);
    if (index >= batch * channels * height * width) return;
    const int column = index % width, row = (index / width) % height;
    const int sample = index / (width * height * channels);
    const uint4 words = philox_block(offset + 4 * (ulong)sample, seed, stream);
    const uint choices = (uint)(2 * padding + 1);
    const int dy = (int)(words.x % choices) - padding, dx = (int)(words.y % choices) - padding;
    const int flipped = flip && (words.z & 1u);
    const int source_row = row + dy;
    const int source_column = (flipped ? width - 1 - column : column) + dx;
    const int inside = source_row >= 0 && source_row < height && source_column >= 0 && source_column < width;
    const int image_start = index - row * width - column;
    output[output_offset + index] =
        inside ? input[input_offset + image_start + source_row * width + source_column] : 0.0f;
}
