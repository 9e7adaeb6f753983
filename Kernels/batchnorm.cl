// Batch norm over [N, C] (N samples of C features), forward (training and inference) and
// backward. Mirrors Sources/DescentCPU/CPUBackend+BatchNorm.swift: one work-item per feature
// walks down its column (consecutive work-items read consecutive addresses), summing in the same
// order as the CPU reference. The mean and variance take two passes (corrected two-pass: the
// second pass sums the deviations too), never E[x^2] - E[x]^2.

__kernel void batchnorm_forward_training(const int rows, const int columns, const float epsilon,
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
    const int feature = get_global_id(0);
    if (feature >= columns) return;
    __global const float* x = input + input_offset + feature;
    __global float* y = output + output_offset + feature;

    // Corrected two-pass: the second pass also sums the deviations, which removes the rounding
    // error of the first mean from the mean and the variance.
    float sum = 0.0f;
    for (int row = 0; row < rows; row++) sum += x[row * columns];
    const float first_mean = sum / (float)rows;
    float deviations = 0.0f, squares = 0.0f;
    for (int row = 0; row < rows; row++) {
        const float deviation = x[row * columns] - first_mean;
        deviations += deviation;
        squares += deviation * deviation;
    }
    const float mean = first_mean + deviations / (float)rows;
    const float centered_squares = fmax(squares - deviations * deviations / (float)rows, 0.0f);
    const float variance = centered_squares / (float)rows;
    const float inverse = 1.0f / sqrt(variance + epsilon);
    const float g = gamma[gamma_offset + feature], b = beta[beta_offset + feature];
    for (int row = 0; row < rows; row++) y[row * columns] = g * ((x[row * columns] - mean) * inverse) + b;

    saved_mean[saved_mean_offset + feature] = mean;
    saved_inverse[saved_inverse_offset + feature] = inverse;
    const float batch_variance = unbiased_running_variance ? centered_squares / (float)(rows - 1) : variance;
    const int m = running_mean_offset + feature, v = running_variance_offset + feature;
    running_mean[m] = (1.0f - new_batch_weight) * running_mean[m] + new_batch_weight * mean;
    running_variance[v] = (1.0f - new_batch_weight) * running_variance[v] + new_batch_weight * batch_variance;
}

__kernel void batchnorm_inference(const int rows, const int columns, const float epsilon,
                                  __global const float* input, const int input_offset,
                                  __global const float* gamma, const int gamma_offset,
                                  __global const float* beta, const int beta_offset,
                                  __global const float* running_mean, const int running_mean_offset,
                                  __global const float* running_variance, const int running_variance_offset,
                                  __global float* output, const int output_offset)
{
    const int index = get_global_id(0);
    if (index >= rows * columns) return;
    const int feature = index % columns;
    const float inverse = 1.0f / sqrt(running_variance[running_variance_offset + feature] + epsilon);
    const float centered = input[input_offset + index] - running_mean[running_mean_offset + feature];
    output[output_offset + index] = gamma[gamma_offset + feature] * (centered * inverse) + beta[beta_offset + feature];
}

__kernel void batchnorm_backward(const int rows, const int columns,
                                 __global const float* input, const int input_offset,
                                 __global const float* output_gradient, const int output_gradient_offset,
                                 __global const float* gamma, const int gamma_offset,
                                 __global const float* saved_mean, const int saved_mean_offset,
                                 __global const float* saved_inverse, const int saved_inverse_offset,
                                 __global float* input_gradient, const int input_gradient_offset,
                                 __global float* gamma_gradient, const int gamma_gradient_offset,
                                 __global float* beta_gradient, const int beta_gradient_offset)
{
    const int feature = get_global_id(0);
    if (feature >= columns) return;
    __global const float* x = input + input_offset + feature;
    __global const float* dy = output_gradient + output_gradient_offset + feature;
    __global float* dx = input_gradient + input_gradient_offset + feature;
    const float mean = saved_mean[saved_mean_offset + feature];
    const float inverse = saved_inverse[saved_inverse_offset + feature];

    float sum_dy = 0.0f, sum_dy_xhat = 0.0f;
    for (int row = 0; row < rows; row++) {
        const float xhat = (x[row * columns] - mean) * inverse;
        sum_dy += dy[row * columns];
        sum_dy_xhat += dy[row * columns] * xhat;
    }
    const float factor = gamma[gamma_offset + feature] * inverse / (float)rows;
    for (int row = 0; row < rows; row++) {
        const float xhat = (x[row * columns] - mean) * inverse;
        dx[row * columns] = factor * ((float)rows * dy[row * columns] - sum_dy - xhat * sum_dy_xhat);
    }
    gamma_gradient[gamma_gradient_offset + feature] = sum_dy_xhat;
    beta_gradient[beta_gradient_offset + feature] = sum_dy;
}
