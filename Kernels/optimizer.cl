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

// Elements per work-item, one explicit vector (2, 4, 8 or 16): PoCL vectorizes explicit vectors
// well and work-items poorly. The host launches ceil(count / OPTIMIZER_WIDTH) work-items.
#ifndef OPTIMIZER_WIDTH
#define OPTIMIZER_WIDTH 4
#endif

#define OPTIMIZER_CAT_(a, b) a##b
#define OPTIMIZER_CAT(a, b) OPTIMIZER_CAT_(a, b)
#define optimizer_vector OPTIMIZER_CAT(float, OPTIMIZER_WIDTH)
#define optimizer_vload OPTIMIZER_CAT(vload, OPTIMIZER_WIDTH)
#define optimizer_vstore OPTIMIZER_CAT(vstore, OPTIMIZER_WIDTH)

// n elements from p: a whole vector (vloadn needs only float alignment, so any view offset
// works), or at the arena's end the first n with zeros after them, never reading past it.
inline optimizer_vector optimizer_load(__global const float* p, const int n)
{
    if (n == OPTIMIZER_WIDTH) return optimizer_vload(0, p);
    float lanes[OPTIMIZER_WIDTH];
    for (int k = 0; k < OPTIMIZER_WIDTH; k++) lanes[k] = k < n ? p[k] : 0.0f;
    return optimizer_vload(0, lanes);
}

inline void optimizer_store(__global float* p, const optimizer_vector value, const int n)
{
    if (n == OPTIMIZER_WIDTH) { optimizer_vstore(value, 0, p); return; }
    float lanes[OPTIMIZER_WIDTH];
    optimizer_vstore(value, 0, lanes);
    for (int k = 0; k < n; k++) p[k] = lanes[k];
}

// The parameters of every optimizer_step_* kernel, and the names to pass them on.
#define OPTIMIZER_PARAMETERS \
    const int count, const int flags, \
    const float lr, const float h0, const float h1, const float h2, \
    const float step_size, const float secondary, const float tertiary, \
    const float l2, const float l1, const float decoupled_decay, const float clip_value, \
    __global const float* gradient_scale, const int gradient_scale_offset, \
    __global float* parameters, const int parameters_offset, \
    __global const float* gradients, const int gradients_offset, \
    __global float* state0, const int state0_offset, \
    __global float* state1, const int state1_offset, \
    __global float* state2, const int state2_offset
#define OPTIMIZER_ARGUMENTS \
    count, flags, lr, h0, h1, h2, step_size, secondary, tertiary, l2, l1, decoupled_decay, clip_value, \
    gradient_scale, gradient_scale_offset, parameters, parameters_offset, gradients, gradients_offset, \
    state0, state0_offset, state1, state1_offset, state2, state2_offset

// Each work-item updates OPTIMIZER_WIDTH consecutive elements (fewer at the end). The flags are
// uniform, so the branches on them are taken once per vector, not per element; a state is
// touched only by the rules that use it. `rule` is a constant in each kernel below: inlined, the
// switch folds away and a driver that compiles kernels at first launch (PoCL) compiles one rule,
// not seven (0.4 s instead of 1 s for Adam, 16 wide, on a 2-core CPU).
__attribute__((always_inline)) void optimizer_update(const int rule, OPTIMIZER_PARAMETERS)
{
    const int first = get_global_id(0) * OPTIMIZER_WIDTH;
    if (first >= count) return;
    const int n = min(OPTIMIZER_WIDTH, count - first);
    const bool keras = (flags & FLAG_KERAS) != 0;
    __global float* wp = parameters + parameters_offset + first;
    optimizer_vector w = optimizer_load(wp, n);
    optimizer_vector g = (gradient_scale ? gradient_scale[gradient_scale_offset] : 1.0f)
        * optimizer_load(gradients + gradients_offset + first, n);
    if (clip_value > 0.0f) g = fmin(fmax(g, -clip_value), clip_value);
    g += l2 * w + l1 * sign(w);
    if (decoupled_decay != 0.0f) w *= 1.0f - lr * decoupled_decay;

    switch (rule) {
    case RULE_SGD: {  // h0 momentum, h1 dampening
        if (h0 == 0.0f) { w -= lr * g; break; }
        const bool nesterov = (flags & FLAG_NESTEROV) != 0;
        __global float* p0 = state0 + state0_offset + first;
        optimizer_vector s0;
        if (keras) {
            s0 = h0 * optimizer_load(p0, n) - lr * g;
            if (nesterov) w += h0 * s0 - lr * g; else w += s0;
        } else {
            s0 = (flags & FLAG_FIRST_STEP) ? g : h0 * optimizer_load(p0, n) + (1.0f - h1) * g;
            if (nesterov) w -= lr * (g + h0 * s0); else w -= lr * s0;
        }
        optimizer_store(p0, s0, n);
        break;
    }
    case RULE_ADAGRAD: {  // h2 epsilon
        __global float* p0 = state0 + state0_offset + first;
        const optimizer_vector s0 = optimizer_load(p0, n) + g * g;
        optimizer_store(p0, s0, n);
        if (keras) w -= step_size * g / sqrt(s0 + h2); else w -= step_size * g / (sqrt(s0) + h2);
        break;
    }
    case RULE_RMSPROP: {  // h0 alpha, h1 momentum, h2 epsilon
        const bool centered = (flags & FLAG_CENTERED) != 0;
        __global float* p0 = state0 + state0_offset + first;
        const optimizer_vector s0 = h0 * optimizer_load(p0, n) + (1.0f - h0) * g * g;
        optimizer_store(p0, s0, n);
        optimizer_vector mean_square = s0;
        if (centered) {
            __global float* p1 = state1 + state1_offset + first;
            const optimizer_vector s1 = h0 * optimizer_load(p1, n) + (1.0f - h0) * g;
            optimizer_store(p1, s1, n);
            mean_square -= s1 * s1;
        }
        optimizer_vector denominator;
        if (keras) denominator = sqrt(mean_square + h2); else denominator = sqrt(mean_square) + h2;
        if (h1 != 0.0f) {
            __global float* pb = centered ? state2 + state2_offset + first : state1 + state1_offset + first;
            optimizer_vector buffer;
            if (keras) {
                buffer = h1 * optimizer_load(pb, n) + lr * g / denominator;
                w -= buffer;
            } else {
                buffer = h1 * optimizer_load(pb, n) + g / denominator;
                w -= lr * buffer;
            }
            optimizer_store(pb, buffer, n);
        } else {
            w -= lr * g / denominator;
        }
        break;
    }
    case RULE_ADADELTA: {  // h0 rho, h2 epsilon
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = h0 * optimizer_load(p0, n) + (1.0f - h0) * g * g;
        optimizer_vector s1 = optimizer_load(p1, n);
        const optimizer_vector delta = sqrt(s1 + h2) / sqrt(s0 + h2) * g;
        s1 = h0 * s1 + (1.0f - h0) * delta * delta;
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        w -= lr * delta;
        break;
    }
    case RULE_ADAM: {  // h0 beta1, h1 beta2, h2 epsilon
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = h0 * optimizer_load(p0, n) + (1.0f - h0) * g;
        const optimizer_vector s1 = h1 * optimizer_load(p1, n) + (1.0f - h1) * g * g;
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        optimizer_vector second = s1;
        if (flags & FLAG_AMSGRAD) {
            __global float* p2 = state2 + state2_offset + first;
            second = fmax(optimizer_load(p2, n), s1);
            optimizer_store(p2, second, n);
        }
        if (keras) w -= step_size * s0 / (sqrt(second) + h2);
        else w -= step_size * s0 / (sqrt(second) / secondary + h2);
        break;
    }
    case RULE_ADAMAX: {  // h0 beta1, h1 beta2, h2 epsilon
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = h0 * optimizer_load(p0, n) + (1.0f - h0) * g;
        optimizer_vector s1;
        if (keras) {
            s1 = fmax(h1 * optimizer_load(p1, n), fabs(g));
            w -= step_size * s0 / (s1 + h2);
        } else {
            s1 = fmax(h1 * optimizer_load(p1, n), fabs(g) + h2);
            w -= step_size * s0 / s1;
        }
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        break;
    }
    case RULE_NADAM: {  // h0 beta1, h1 beta2, h2 epsilon
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = h0 * optimizer_load(p0, n) + (1.0f - h0) * g;
        const optimizer_vector s1 = h1 * optimizer_load(p1, n) + (1.0f - h1) * g * g;
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        const optimizer_vector denominator = sqrt(s1 / tertiary) + h2;
        w -= step_size * g / denominator + secondary * s0 / denominator;
        break;
    }
    }
    optimizer_store(wp, w, n);
}

// One kernel per rule (Sources/DescentOpenCL/OpenCLBackend+Optimizer.swift picks it).
__kernel void optimizer_step_sgd(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_SGD, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adagrad(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_ADAGRAD, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_rmsprop(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_RMSPROP, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adadelta(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_ADADELTA, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adam(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_ADAM, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adamax(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_ADAMAX, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_nadam(OPTIMIZER_PARAMETERS) { optimizer_update(RULE_NADAM, OPTIMIZER_ARGUMENTS); }

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
