// The fused optimizer step: every element of a parameter group in one launch, for every rule of
// Sources/DescentCore/OptimizerStep.swift (which documents the math). Mirrors
// Sources/DescentCPU/CPUBackend+Optimizer.swift. Also the global-norm clipping factor and
// Keras's max-norm constraint.
//
// Per-step scalars (bias corrections, Nadam's momentum schedule) come from the host
// (OptimizerScalars): step_size, momentum_step_size, bias_correction2, bias_correction2_root.
// Each rule reads the hyperparameters it has by name, the others are 0 (the host's
// OptimizerKernelArguments fills them). gradient_scale (the clipping factor, on the device) and
// unused states may be NULL.
// OPTIMIZER_RULE_* and OPTIMIZER_FLAG_* are generated from Sources/DescentOpenCL/KernelCodes.swift at the top of the program.

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
    const float lr, const float momentum, const float dampening, const float alpha, const float rho, \
    const float beta1, const float beta2, const float epsilon, \
    const float step_size, const float momentum_step_size, const float bias_correction2, \
    const float bias_correction2_root, \
    const float l2, const float l1, const float decoupled_decay, const float clip_value, \
    __global const float* gradient_scale, const int gradient_scale_offset, \
    __global float* parameters, const int parameters_offset, \
    __global const float* gradients, const int gradients_offset, \
    __global float* state0, const int state0_offset, \
    __global float* state1, const int state1_offset, \
    __global float* state2, const int state2_offset
#define OPTIMIZER_ARGUMENTS \
    count, flags, lr, momentum, dampening, alpha, rho, beta1, beta2, epsilon, \
    step_size, momentum_step_size, bias_correction2, bias_correction2_root, l2, l1, decoupled_decay, clip_value, \
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
    const bool keras = (flags & OPTIMIZER_FLAG_KERAS) != 0;
    __global float* wp = parameters + parameters_offset + first;
    optimizer_vector w = optimizer_load(wp, n);
    optimizer_vector g = (gradient_scale ? gradient_scale[gradient_scale_offset] : 1.0f)
        * optimizer_load(gradients + gradients_offset + first, n);
    if (clip_value > 0.0f) g = fmin(fmax(g, -clip_value), clip_value);
    g += l2 * w + l1 * sign(w);
    if (decoupled_decay != 0.0f) w *= 1.0f - lr * decoupled_decay;

    switch (rule) {
    case OPTIMIZER_RULE_SGD: {
        if (momentum == 0.0f) { w -= lr * g; break; }
        const bool nesterov = (flags & OPTIMIZER_FLAG_NESTEROV) != 0;
        __global float* p0 = state0 + state0_offset + first;
        optimizer_vector s0;
        if (keras) {
            s0 = momentum * optimizer_load(p0, n) - lr * g;
            if (nesterov) w += momentum * s0 - lr * g; else w += s0;
        } else {
            s0 = (flags & OPTIMIZER_FLAG_FIRST_STEP) ? g : momentum * optimizer_load(p0, n) + (1.0f - dampening) * g;
            if (nesterov) w -= lr * (g + momentum * s0); else w -= lr * s0;
        }
        optimizer_store(p0, s0, n);
        break;
    }
    case OPTIMIZER_RULE_ADAGRAD: {
        __global float* p0 = state0 + state0_offset + first;
        const optimizer_vector s0 = optimizer_load(p0, n) + g * g;
        optimizer_store(p0, s0, n);
        if (keras) w -= step_size * g / sqrt(s0 + epsilon); else w -= step_size * g / (sqrt(s0) + epsilon);
        break;
    }
    case OPTIMIZER_RULE_RMSPROP: {
        const bool centered = (flags & OPTIMIZER_FLAG_CENTERED) != 0;
        __global float* p0 = state0 + state0_offset + first;
        const optimizer_vector s0 = alpha * optimizer_load(p0, n) + (1.0f - alpha) * g * g;
        optimizer_store(p0, s0, n);
        optimizer_vector mean_square = s0;
        if (centered) {
            __global float* p1 = state1 + state1_offset + first;
            const optimizer_vector s1 = alpha * optimizer_load(p1, n) + (1.0f - alpha) * g;
            optimizer_store(p1, s1, n);
            mean_square -= s1 * s1;
        }
        optimizer_vector denominator;
        if (keras) denominator = sqrt(mean_square + epsilon); else denominator = sqrt(mean_square) + epsilon;
        if (momentum != 0.0f) {
            __global float* pb = centered ? state2 + state2_offset + first : state1 + state1_offset + first;
            optimizer_vector buffer;
            if (keras) {
                buffer = momentum * optimizer_load(pb, n) + lr * g / denominator;
                w -= buffer;
            } else {
                buffer = momentum * optimizer_load(pb, n) + g / denominator;
                w -= lr * buffer;
            }
            optimizer_store(pb, buffer, n);
        } else {
            w -= lr * g / denominator;
        }
        break;
    }
    case OPTIMIZER_RULE_ADADELTA: {
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = rho * optimizer_load(p0, n) + (1.0f - rho) * g * g;
        optimizer_vector s1 = optimizer_load(p1, n);
        const optimizer_vector delta = sqrt(s1 + epsilon) / sqrt(s0 + epsilon) * g;
        s1 = rho * s1 + (1.0f - rho) * delta * delta;
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        w -= lr * delta;
        break;
    }
    case OPTIMIZER_RULE_ADAM: {
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = beta1 * optimizer_load(p0, n) + (1.0f - beta1) * g;
        const optimizer_vector s1 = beta2 * optimizer_load(p1, n) + (1.0f - beta2) * g * g;
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        optimizer_vector second = s1;
        if (flags & OPTIMIZER_FLAG_AMSGRAD) {
            __global float* p2 = state2 + state2_offset + first;
            second = fmax(optimizer_load(p2, n), s1);
            optimizer_store(p2, second, n);
        }
        if (keras) w -= step_size * s0 / (sqrt(second) + epsilon);
        else w -= step_size * s0 / (sqrt(second) / bias_correction2_root + epsilon);
        break;
    }
    case OPTIMIZER_RULE_ADAMAX: {
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = beta1 * optimizer_load(p0, n) + (1.0f - beta1) * g;
        optimizer_vector s1;
        if (keras) {
            s1 = fmax(beta2 * optimizer_load(p1, n), fabs(g));
            w -= step_size * s0 / (s1 + epsilon);
        } else {
            s1 = fmax(beta2 * optimizer_load(p1, n), fabs(g) + epsilon);
            w -= step_size * s0 / s1;
        }
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        break;
    }
    case OPTIMIZER_RULE_NADAM: {
        __global float* p0 = state0 + state0_offset + first;
        __global float* p1 = state1 + state1_offset + first;
        const optimizer_vector s0 = beta1 * optimizer_load(p0, n) + (1.0f - beta1) * g;
        const optimizer_vector s1 = beta2 * optimizer_load(p1, n) + (1.0f - beta2) * g * g;
        optimizer_store(p0, s0, n);
        optimizer_store(p1, s1, n);
        const optimizer_vector denominator = sqrt(s1 / bias_correction2) + epsilon;
        w -= step_size * g / denominator + momentum_step_size * s0 / denominator;
        break;
    }
    }
    optimizer_store(wp, w, n);
}

// One kernel per rule (Sources/DescentOpenCL/OpenCLBackend+Optimizer.swift picks it).
__kernel void optimizer_step_sgd(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_SGD, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adagrad(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_ADAGRAD, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_rmsprop(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_RMSPROP, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adadelta(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_ADADELTA, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adam(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_ADAM, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_adamax(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_ADAMAX, OPTIMIZER_ARGUMENTS); }
__kernel void optimizer_step_nadam(OPTIMIZER_PARAMETERS) { optimizer_update(OPTIMIZER_RULE_NADAM, OPTIMIZER_ARGUMENTS); }

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
