// The fused optimizer step: every element of a parameter group in one launch, for every rule of
// Sources/DescentCore/OptimizerStep.swift (which documents the math). Mirrors
// Sources/DescentCPU/CPUBackend+Optimizer.swift. Also the global-norm clipping factor and
// Keras's max-norm constraint.
//
// Per-step scalars (bias corrections, Nadam's momentum schedule) come from the host
// (OptimizerScalars): step_size, secondary, tertiary. Hyperparameters: h0, h1, h2 as listed at
// each rule. gradient_scale (the clipping factor, on the device) and unused states may be NULL.

#define RULE_SGD 0
#define RULE_ADAGRAD 1
#define RULE_RMSPROP 2
#define RULE_ADADELTA 3
#define RULE_ADAM 4
#define RULE_ADAMAX 5
#define RULE_NADAM 6

#define FLAG_KERAS 1
#define FLAG_NESTEROV 2
#define FLAG_CENTERED 4
#define FLAG_AMSGRAD 8
#define FLAG_FIRST_STEP 16

__kernel void optimizer_step(const int count, const int rule, const int flags,
                             const float lr, const float h0, const float h1, const float h2,
                             const float step_size, const float secondary, const float tertiary,
                             const float l2, const float l1, const float decoupled_decay, const float clip_value,
                             __global const float* gradient_scale, const int gradient_scale_offset,
                             __global float* parameters, const int parameters_offset,
                             __global const float* gradients, const int gradients_offset,
                             __global float* state0, const int state0_offset,
                             __global float* state1, const int state1_offset,
                             __global float* state2, const int state2_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    const bool keras = (flags & FLAG_KERAS) != 0;
    __global float* s0 = state0 + state0_offset + i;
    __global float* s1 = state1 + state1_offset + i;
    __global float* s2 = state2 + state2_offset + i;
    float w = parameters[parameters_offset + i];
    float g = (gradient_scale ? gradient_scale[gradient_scale_offset] : 1.0f) * gradients[gradients_offset + i];
    if (clip_value > 0.0f) g = fmin(fmax(g, -clip_value), clip_value);
    g += l2 * w + l1 * (w > 0.0f ? 1.0f : (w < 0.0f ? -1.0f : 0.0f));
    if (decoupled_decay != 0.0f) w *= 1.0f - lr * decoupled_decay;

    switch (rule) {
    case RULE_SGD: {  // h0 momentum, h1 dampening
        if (h0 == 0.0f) { w -= lr * g; break; }
        const bool nesterov = (flags & FLAG_NESTEROV) != 0;
        if (keras) {
            *s0 = h0 * *s0 - lr * g;
            w += nesterov ? h0 * *s0 - lr * g : *s0;
        } else {
            *s0 = (flags & FLAG_FIRST_STEP) ? g : h0 * *s0 + (1.0f - h1) * g;
            w -= lr * (nesterov ? g + h0 * *s0 : *s0);
        }
        break;
    }
    case RULE_ADAGRAD:  // h2 epsilon
        *s0 += g * g;
        w -= keras ? step_size * g / sqrt(*s0 + h2) : step_size * g / (sqrt(*s0) + h2);
        break;
    case RULE_RMSPROP: {  // h0 alpha, h1 momentum, h2 epsilon
        const bool centered = (flags & FLAG_CENTERED) != 0;
        *s0 = h0 * *s0 + (1.0f - h0) * g * g;
        float mean_square = *s0;
        if (centered) {
            *s1 = h0 * *s1 + (1.0f - h0) * g;
            mean_square -= *s1 * *s1;
        }
        const float denominator = keras ? sqrt(mean_square + h2) : sqrt(mean_square) + h2;
        if (h1 != 0.0f) {
            __global float* buffer = centered ? s2 : s1;
            if (keras) {
                *buffer = h1 * *buffer + lr * g / denominator;
                w -= *buffer;
            } else {
                *buffer = h1 * *buffer + g / denominator;
                w -= lr * *buffer;
            }
        } else {
            w -= lr * g / denominator;
        }
        break;
    }
    case RULE_ADADELTA: {  // h0 rho, h2 epsilon
        *s0 = h0 * *s0 + (1.0f - h0) * g * g;
        const float delta = sqrt(*s1 + h2) / sqrt(*s0 + h2) * g;
        *s1 = h0 * *s1 + (1.0f - h0) * delta * delta;
        w -= lr * delta;
        break;
    }
    case RULE_ADAM: {  // h0 beta1, h1 beta2, h2 epsilon
        *s0 = h0 * *s0 + (1.0f - h0) * g;
        *s1 = h1 * *s1 + (1.0f - h1) * g * g;
        float second = *s1;
        if (flags & FLAG_AMSGRAD) {
            *s2 = fmax(*s2, *s1);
            second = *s2;
        }
        w -= keras ? step_size * *s0 / (sqrt(second) + h2) : step_size * *s0 / (sqrt(second) / secondary + h2);
        break;
    }
    case RULE_ADAMAX:  // h0 beta1, h1 beta2, h2 epsilon
        *s0 = h0 * *s0 + (1.0f - h0) * g;
        if (keras) {
            *s1 = fmax(h1 * *s1, fabs(g));
            w -= step_size * *s0 / (*s1 + h2);
        } else {
            *s1 = fmax(h1 * *s1, fabs(g) + h2);
            w -= step_size * *s0 / *s1;
        }
        break;
    case RULE_NADAM: {  // h0 beta1, h1 beta2, h2 epsilon
        *s0 = h0 * *s0 + (1.0f - h0) * g;
        *s1 = h1 * *s1 + (1.0f - h1) * g * g;
        const float denominator = sqrt(*s1 / tertiary) + h2;
        w -= step_size * g / denominator + secondary * *s0 / denominator;
        break;
    }
    }
    parameters[parameters_offset + i] = w;
}

// scale[0] holds the sum of squared gradients (from reduce_all); it becomes PyTorch's factor.
__kernel void clip_scale_finish(const float max_norm, __global float* scale, const int scale_offset)
{
    if (get_global_id(0) != 0) return;
    scale[scale_offset] = fmin(1.0f, max_norm / (sqrt(scale[scale_offset]) + 1e-6f));
}

// One work-item per column (unit) of a rows x columns weight matrix.
__kernel void max_norm(const int rows, const int columns, const float max_norm,
                       __global float* weights, const int weights_offset)
{
    const int column = get_global_id(0);
    if (column >= columns) return;
    __global float* w = weights + weights_offset + column;
    float squares = 0.0f;
    for (int row = 0; row < rows; row++) squares += w[row * columns] * w[row * columns];
    const float norm = sqrt(squares);
    const float factor = fmin(norm, max_norm) / (norm + 1e-7f);
    for (int row = 0; row < rows; row++) w[row * columns] *= factor;
}
