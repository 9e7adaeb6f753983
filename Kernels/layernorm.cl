// Layer norm over the C features of each of N rows, forward and backward. Mirrors
// Sources/DescentCPU/CPUBackend+LayerNorm.swift. A work-group of GROUP_SIZE (a power of two)
// work-items handles one row and reduces in local memory (group.cl, earlier in the program);
// the parameter gradients are column sums, one work-item per feature. The variance takes two
// passes (mean first).

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void layernorm_forward(const int columns, const float epsilon,
                       __global const float* input, const int input_offset,
                       __global const float* gamma, const int gamma_offset,
                       __global const float* beta, const int beta_offset,
                       __global float* output, const int output_offset,
                       __global float* saved_mean, const int saved_mean_offset,
                       __global float* saved_inverse, const int saved_inverse_offset)
{
    __local float scratch[GROUP_SIZE];
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    __global const float* x = input + input_offset + row * columns;
    __global float* y = output + output_offset + row * columns;

    // Corrected two-pass, as in batchnorm.cl.
    float sum = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) sum += x[c];
    const float first_mean = group_sum(scratch, sum) / (float)columns;
    float deviations = 0.0f, squares = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) {
        const float deviation = x[c] - first_mean;
        deviations += deviation;
        squares += deviation * deviation;
    }
    deviations = group_sum(scratch, deviations);
    squares = group_sum(scratch, squares);
    const float mean = first_mean + deviations / (float)columns;
    const float variance = fmax(squares - deviations * deviations / (float)columns, 0.0f) / (float)columns;
    const float inverse = 1.0f / sqrt(variance + epsilon);
    for (int c = lid; c < columns; c += GROUP_SIZE)
        y[c] = gamma[gamma_offset + c] * ((x[c] - mean) * inverse) + beta[beta_offset + c];
    if (lid == 0) {
        saved_mean[saved_mean_offset + row] = mean;
        saved_inverse[saved_inverse_offset + row] = inverse;
    }
}

// dgamma and dbeta: column sums over the rows. Runs before layernorm_backward_input, which may
// overwrite the output gradient.
__kernel void layernorm_backward_parameters(const int rows, const int columns,
                                            __global const float* input, const int input_offset,
                                            __global const float* output_gradient, const int output_gradient_offset,
                                            __global const float* saved_mean, const int saved_mean_offset,
                                            __global const float* saved_inverse, const int saved_inverse_offset,
                                            __global float* gamma_gradient, const int gamma_gradient_offset,
                                            __global float* beta_gradient, const int beta_gradient_offset)
{
    const int column = get_global_id(0);
    if (column >= columns) return;
    float sum_dy = 0.0f, sum_dy_xhat = 0.0f;
    for (int row = 0; row < rows; row++) {
        const float dy = output_gradient[output_gradient_offset + row * columns + column];
        const float xhat = (input[input_offset + row * columns + column] - saved_mean[saved_mean_offset + row])
                           * saved_inverse[saved_inverse_offset + row];
        sum_dy += dy;
        sum_dy_xhat += dy * xhat;
    }
    gamma_gradient[gamma_gradient_offset + column] = sum_dy_xhat;
    beta_gradient[beta_gradient_offset + column] = sum_dy;
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void layernorm_backward_input(const int columns,
                              __global const float* input, const int input_offset,
                              __global const float* output_gradient, const int output_gradient_offset,
                              __global const float* gamma, const int gamma_offset,
                              __global const float* saved_mean, const int saved_mean_offset,
                              __global const float* saved_inverse, const int saved_inverse_offset,
                              __global float* input_gradient, const int input_gradient_offset)
{
    __local float scratch[GROUP_SIZE];
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    __global const float* x = input + input_offset + row * columns;
    __global const float* dy = output_gradient + output_gradient_offset + row * columns;
    __global float* dx = input_gradient + input_gradient_offset + row * columns;
    const float mean = saved_mean[saved_mean_offset + row];
    const float inverse = saved_inverse[saved_inverse_offset + row];

    float sum_g = 0.0f, sum_g_xhat = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) {
        const float g = dy[c] * gamma[gamma_offset + c];
        sum_g += g;
        sum_g_xhat += g * ((x[c] - mean) * inverse);
    }
    sum_g = group_sum(scratch, sum_g);
    sum_g_xhat = group_sum(scratch, sum_g_xhat);
    for (int c = lid; c < columns; c += GROUP_SIZE) {
        const float g = dy[c] * gamma[gamma_offset + c];
        const float xhat = (x[c] - mean) * inverse;
        dx[c] = inverse / (float)columns * ((float)columns * g - sum_g - xhat * sum_g_xhat);
    }
}
