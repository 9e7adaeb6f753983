// Batch norm over [N, C, S] (N samples of C channels of S values each; feature vectors have S = 1,
// NCHW images S = H x W), forward (training and inference) and backward. Mirrors
// Sources/DescentCPU/CPUBackend+BatchNorm.swift: one work-item per channel walks its values sample
// by sample, each sample's S values in memory order, summing in the same order as the CPU
// reference. The mean and variance take two passes (corrected two-pass: the second pass sums the
// deviations too), never E[x^2] - E[x]^2.

// The loop over one channel's values: `i` is the element index.
#define FOR_CHANNEL_VALUES(i) \
    for (int sample = 0; sample < rows; sample++) \
        for (int i = (sample * channels + channel) * spatial, end_ = i + spatial; i < end_; i++)

__kernel void batchnorm_forward_training(const int rows, const int channels, const int spatial,
                                         const float epsilon,
                                         const float new_batch_weight, const int unbiased_running_variance,
                                         __global const float* input, const int input_offset,
                                         __global const float* gamma, const int gamma_offset,
                                         __global const float* beta, const int beta_offset,
                                         __global float* output, const int output_offset,
                                         __global float* saved_mean, const int saved_mean_offset,
                                         __global float* saved_inverse, const int saved_inverse_offset,
                                         __global float* running_mean, const int running_mean_offset,
                                         __global float* running_variance, const int running_variance_offset)
{
    const int channel = get_global_id(0);
    if (channel >= channels) return;
    __global const float* x = input + input_offset;
    __global float* y = output + output_offset;
    const float count = (float)rows * (float)spatial;

    // Corrected two-pass: the second pass also sums the deviations, which removes the rounding
    // error of the first mean from the mean and the variance.
    float sum = 0.0f;
    FOR_CHANNEL_VALUES(i) sum += x[i];
    const float first_mean = sum / count;
    float deviations = 0.0f, squares = 0.0f;
    FOR_CHANNEL_VALUES(i) {
        const float deviation = x[i] - first_mean;
        deviations += deviation;
        squares += deviation * deviation;
    }
    const float mean = first_mean + deviations / count;
    const float centered_squares = fmax(squares - deviations * deviations / count, 0.0f);
    const float variance = centered_squares / count;
    const float inverse = 1.0f / sqrt(variance + epsilon);
    const float g = gamma[gamma_offset + channel], b = beta[beta_offset + channel];
    FOR_CHANNEL_VALUES(i) y[i] = g * ((x[i] - mean) * inverse) + b;

    saved_mean[saved_mean_offset + channel] = mean;
    saved_inverse[saved_inverse_offset + channel] = inverse;
    const float batch_variance = unbiased_running_variance ? centered_squares / (count - 1.0f) : variance;
    const int m = running_mean_offset + channel, v = running_variance_offset + channel;
    running_mean[m] = (1.0f - new_batch_weight) * running_mean[m] + new_batch_weight * mean;
    running_variance[v] = (1.0f - new_batch_weight) * running_variance[v] + new_batch_weight * batch_variance;
}

__kernel void batchnorm_inference(const int count, const int channels, const int spatial,
                                  const float epsilon,
                                  __global const float* input, const int input_offset,
                                  __global const float* gamma, const int gamma_offset,
                                  __global const float* beta, const int beta_offset,
                                  __global const float* running_mean, const int running_mean_offset,
                                  __global const float* running_variance, const int running_variance_offset,
                                  __global float* output, const int output_offset)
{
    const int index = get_global_id(0);
    if (index >= count) return;
    const int channel = (index / spatial) % channels;
    const float inverse = 1.0f / sqrt(running_variance[running_variance_offset + channel] + epsilon);
    const float centered = input[input_offset + index] - running_mean[running_mean_offset + channel];
    output[output_offset + index] = gamma[gamma_offset + channel] * (centered * inverse) + beta[beta_offset + channel];
}

__kernel void batchnorm_backward(const int rows, const int channels, const int spatial,
                                 __global const float* input, const int input_offset,
                                 __global const float* output_gradient, const int output_gradient_offset,
                                 __global const float* gamma, const int gamma_offset,
                                 __global const float* saved_mean, const int saved_mean_offset,
                                 __global const float* saved_inverse, const int saved_inverse_offset,
                                 __global float* input_gradient, const int input_gradient_offset,
                                 __global float* gamma_gradient, const int gamma_gradient_offset,
                                 __global float* beta_gradient, const int beta_gradient_offset)
{
    const int channel = get_global_id(0);
    if (channel >= channels) return;
    __global const float* x = input + input_offset;
    __global const float* dy = output_gradient + output_gradient_offset;
    __global float* dx = input_gradient + input_gradient_offset;
    const float mean = saved_mean[saved_mean_offset + channel];
    const float inverse = saved_inverse[saved_inverse_offset + channel];
    const float count = (float)rows * (float)spatial;

    float sum_dy = 0.0f, sum_dy_xhat = 0.0f;
    FOR_CHANNEL_VALUES(i) {
        const float xhat = (x[i] - mean) * inverse;
        sum_dy += dy[i];
        sum_dy_xhat += dy[i] * xhat;
    }
    const float factor = gamma[gamma_offset + channel] * inverse / count;
    FOR_CHANNEL_VALUES(i) {
        const float xhat = (x[i] - mean) * inverse;
        dx[i] = factor * (count * dy[i] - sum_dy - xhat * sum_dy_xhat);
    }
    gamma_gradient[gamma_gradient_offset + channel] = sum_dy_xhat;
    beta_gradient[beta_gradient_offset + channel] = sum_dy;
}

// batch norm's input gradient from per-channel sums made elsewhere (synchronized batch norm sums
// them over the ranks): one work-item per channel, as batchnorm_backward.
__kernel void batchnorm_input_gradient(const int rows, const int channels, const int spatial,
                                       __global const float* input, const int input_offset,
                                       __global const float* output_gradient, const int output_gradient_offset,
                                       __global const float* gamma, const int gamma_offset,
                                       __global const float* saved_mean, const int saved_mean_offset,
                                       __global const float* saved_inverse, const int saved_inverse_offset,
                                       __global const float* sum_dy_xhat, const int sum_dy_xhat_offset,
                                       __global const float* sum_dy, const int sum_dy_offset,
                                       __global float* input_gradient, const int input_gradient_offset)
{
    const int channel = get_global_id(0);
    if (channel >= channels) return;
    __global const float* x = input + input_offset;
    __global const float* dy = output_gradient + output_gradient_offset;
    __global float* dx = input_gradient + input_gradient_offset;
    const float mean = saved_mean[saved_mean_offset + channel];
    const float inverse = saved_inverse[saved_inverse_offset + channel];
    const float count = (float)rows * (float)spatial;
    const float total_dy = sum_dy[sum_dy_offset + channel];
    const float total_dy_xhat = sum_dy_xhat[sum_dy_xhat_offset + channel];
    const float factor = gamma[gamma_offset + channel] * inverse / count;
    FOR_CHANNEL_VALUES(i) {
        const float xhat = (x[i] - mean) * inverse;
        dx[i] = factor * (count * dy[i] - total_dy - xhat * total_dy_xhat);
    }
}

#undef FOR_CHANNEL_VALUES
