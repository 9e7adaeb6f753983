// Losses: softmax cross-entropy, binary cross-entropy and the regression losses, each writing
// the mean loss, optionally per-sample losses and the input gradient. Mirrors
// Sources/DescentCPU/CPUBackend+Loss.swift; the semantics are documented on the Backend protocol.
// group.cl and activation_functions.cl (for stable_sigmoid) come earlier in the program.
//
// Three launches per loss, none reading back to the host:
//  1. a rows kernel writes each sample's weighted loss and weight to row_loss / row_weight, and
//     the gradient of each element before the batch normalization;
//  2. loss_finish (one work-group) sums them into the mean loss and the gradient's scale;
//  3. loss_scale_gradient multiplies the gradient by that scale.
// Optional operands (class weights, sample weights, per-sample loss, gradient) may be NULL.
// A label outside [0, C) is recorded with atomic_min in invalid_row; record_invalid_label copies
// the first one into the backend's status buffer, which the host reads at its next download.
// LOSS_* are generated from Sources/DescentOpenCL/KernelCodes.swift at the top of the program.

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void softmax_cross_entropy_rows(const int columns, const float smoothing,
                                __global const float* logits, const int logits_offset,
                                __global const int* labels, const int labels_offset,
                                __global const float* class_weights, const int class_weights_offset,
                                __global const float* sample_weights, const int sample_weights_offset,
                                __global float* per_sample, const int per_sample_offset,
                                __global float* gradient, const int gradient_offset,
                                __global float* row_loss, __global float* row_weight,
                                __global int* invalid_row)
{
    __local float scratch[GROUP_SIZE];
    const int lid = get_local_id(0);
    const int row = get_group_id(0);
    const int label = labels[labels_offset + row];
    // No early return for an invalid label, although the whole group would take it: the barriers
    // below would then sit behind a branch, which PoCL's loopvec work-group method miscompiles
    // (see Kernels/README.md). Every work-item reaches every barrier; an invalid row runs the
    // reductions and writes only its marker.
    const bool valid = label >= 0 && label < columns;
    __global const float* z = logits + logits_offset + row * columns;

    float row_max = -INFINITY;
    for (int c = lid; c < columns; c += GROUP_SIZE) row_max = fmax(row_max, z[c]);
    row_max = group_max(scratch, row_max);
    float sum = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) sum += exp(z[c] - row_max);
    // -log p_c = (max - z_c) + log(sum): the difference first, so that large logits keep the
    // digits that max + log(sum) would round away.
    const float log_sum = log(group_sum(scratch, sum));

    float smoothed = 0.0f, total_weight = 0.0f;
    for (int c = lid; c < columns; c += GROUP_SIZE) {
        const float w = class_weights ? class_weights[class_weights_offset + c] : 1.0f;
        smoothed += w * ((row_max - z[c]) + log_sum);
        total_weight += w;
    }
    smoothed = group_sum(scratch, smoothed);
    total_weight = group_sum(scratch, total_weight);

    if (!valid) {
        if (lid == 0) {
            atomic_min(invalid_row, row);
            row_loss[row] = NAN;
            row_weight[row] = 0.0f;
        }
    } else {
        const float label_weight = class_weights ? class_weights[class_weights_offset + label] : 1.0f;
        const float sample_weight = sample_weights ? sample_weights[sample_weights_offset + row] : 1.0f;
        const float loss = (1.0f - smoothing) * label_weight * ((row_max - z[label]) + log_sum)
                           + smoothing / (float)columns * smoothed;
        // A row of weight 0 (padding) contributes nothing, even if it holds NaN.
        if (lid == 0) {
            if (per_sample) per_sample[per_sample_offset + row] = loss;
            row_loss[row] = sample_weight == 0.0f ? 0.0f : sample_weight * loss;
            row_weight[row] = sample_weight == 0.0f ? 0.0f : sample_weight * label_weight;
        }
        if (gradient) {
            __global float* g = gradient + gradient_offset + row * columns;
            for (int c = lid; c < columns; c += GROUP_SIZE) {
                const float p = exp((z[c] - row_max) - log_sum);
                const float w = class_weights ? class_weights[class_weights_offset + c] : 1.0f;
                const float hard = (1.0f - smoothing) * label_weight * (p - (c == label ? 1.0f : 0.0f));
                const float soft = smoothing / (float)columns * (total_weight * p - w);
                g[c] = sample_weight == 0.0f ? 0.0f : sample_weight * (hard + soft);
            }
        }
    }
}

// The loss of one element and its derivative with respect to the input.
float2 element_loss(const int kind, const float delta, const float x, const float target, const float positive_weight)
{
    if (kind == LOSS_BINARY_CROSS_ENTROPY) {
        const float log_weight = 1.0f + (positive_weight - 1.0f) * target;
        const float softplus_of_minus_x = log1p(exp(-fabs(x))) + fmax(-x, 0.0f);
        return (float2)((1.0f - target) * x + log_weight * softplus_of_minus_x,
                        (1.0f - target) - log_weight * stable_sigmoid(-x));
    }
    const float difference = x - target;
    if (kind == LOSS_MEAN_ABSOLUTE_ERROR)
        return (float2)(fabs(difference), difference > 0.0f ? 1.0f : (difference < 0.0f ? -1.0f : 0.0f));
    if (kind == LOSS_HUBER) {
        if (fabs(difference) < delta) return (float2)(0.5f * difference * difference, difference);
        return (float2)(delta * (fabs(difference) - 0.5f * delta), difference > 0.0f ? delta : -delta);
    }
    return (float2)(difference * difference, 2.0f * difference);
}

// One work-item per sample, over its D outputs.
__kernel void elementwise_loss_rows(const int kind, const float delta, const int rows, const int columns,
                                    __global const float* input, const int input_offset,
                                    __global const float* targets, const int targets_offset,
                                    __global const float* positive_weight, const int positive_weight_offset,
                                    __global const float* sample_weights, const int sample_weights_offset,
                                    __global float* per_sample, const int per_sample_offset,
                                    __global float* gradient, const int gradient_offset,
                                    __global float* row_loss, __global float* row_weight)
{
    const int row = get_global_id(0);
    if (row >= rows) return;
    const float sample_weight = sample_weights ? sample_weights[sample_weights_offset + row] : 1.0f;
    // A row of weight 0 (padding) contributes nothing, even if it holds NaN.
    const bool padding = sample_weight == 0.0f;
    float sum = 0.0f;
    for (int c = 0; c < columns; c++) {
        const int index = row * columns + c;
        const float pw = positive_weight ? positive_weight[positive_weight_offset + c] : 1.0f;
        const float2 value = element_loss(kind, delta, input[input_offset + index], targets[targets_offset + index], pw);
        sum += value.x;
        if (gradient) gradient[gradient_offset + index] = padding ? 0.0f : sample_weight * value.y / (float)columns;
    }
    const float mean = sum / (float)columns;
    if (per_sample) per_sample[per_sample_offset + row] = kind == LOSS_ROOT_MEAN_SQUARED_ERROR ? sqrt(mean) : mean;
    row_loss[row] = padding ? 0.0f : sample_weight * mean;
    row_weight[row] = padding ? 0.0f : sample_weight;
}

__kernel __attribute__((reqd_work_group_size(GROUP_SIZE, 1, 1)))
void loss_finish(const int rows, const int root_of_mean,
                 __global const float* row_loss, __global const float* row_weight,
                 __global float* loss, const int loss_offset, __global float* gradient_scale)
{
    __local float scratch[GROUP_SIZE];
    float total_loss = 0.0f, total_weight = 0.0f;
    for (int r = get_local_id(0); r < rows; r += GROUP_SIZE) {
        total_loss += row_loss[r];
        total_weight += row_weight[r];
    }
    total_loss = group_sum(scratch, total_loss);
    total_weight = group_sum(scratch, total_weight);
    if (get_local_id(0) == 0) {
        const float mean = total_weight == 0.0f ? 0.0f : total_loss / total_weight;
        loss[loss_offset] = root_of_mean ? sqrt(mean) : mean;
        // d(root of M)/dM = 1 / (2 root of M), taken as 0 at M = 0.
        const float chain = root_of_mean ? (mean > 0.0f ? 1.0f / (2.0f * sqrt(mean)) : 0.0f) : 1.0f;
        gradient_scale[0] = total_weight == 0.0f ? 0.0f : chain / total_weight;
    }
}

__kernel void loss_scale_gradient(const int count, __global const float* gradient_scale,
                                  __global float* gradient, const int gradient_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    gradient[gradient_offset + i] *= gradient_scale[0];
}

// One work-item: copies the first invalid label into status = {found, sample, label, classes},
// unless an earlier error is already waiting there.
__kernel void record_invalid_label(const int rows, const int columns, __global const int* invalid_row,
                                   __global const int* labels, const int labels_offset, __global int* status)
{
    if (get_global_id(0) != 0) return;
    const int row = invalid_row[0];
    if (row >= rows || status[0] != 0) return;
    status[1] = row;
    status[2] = labels[labels_offset + row];
    status[3] = columns;
    status[0] = 1;
}
