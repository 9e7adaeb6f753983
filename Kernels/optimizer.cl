// The fused optimizer step: every element of a parameter group in one launch, one kernel per
// update rule (Sources/DescentCore/UpdateRule.swift). Each mirrors its rule's reference `apply`
// in Sources/DescentTraining/Optimizers/, and OPTIMIZER_BEGIN mirrors the shared steps of
// Sources/DescentCPU/CPUBackend+Optimizer.swift. Also the global-norm clipping factor and
// Keras's max-norm constraint.
//
// Per-step scalars (bias corrections, Nadam's momentum schedule) come from the host
// (OptimizerScalars): step_size, momentum_step_size, bias_correction2, bias_correction2_root.
// Each rule reads the hyperparameters it has by name, the others are 0 (the rule's UpdateKernel
// fills them). gradient_scale (the clipping factor, on the device) and
// unused states may be NULL.
// OPTIMIZER_FLAG_* are generated from Sources/DescentOpenCL/KernelCodes.swift at the top of the
// program.

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

// The parameters of every optimizer_step_* kernel (OptimizerKernelArguments passes them).
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

// The start of every optimizer_step_* kernel: each work-item updates OPTIMIZER_WIDTH consecutive
// elements (n, fewer at the end) from `first`. It loads the parameters w and the gradient g, then
// applies what every rule shares (OptimizerStep): the global-norm scale, clipping, the coupled
// penalties and the decoupled decay. The flags are uniform, so the branches on them are taken
// once per vector, not per element; a state is touched only by the rules that use it.
#define OPTIMIZER_BEGIN \
    const int first = get_global_id(0) * OPTIMIZER_WIDTH; \
    if (first >= count) return; \
    const int n = min(OPTIMIZER_WIDTH, count - first); \
    const bool keras = (flags & OPTIMIZER_FLAG_KERAS) != 0; \
    __global float* wp = parameters + parameters_offset + first; \
    optimizer_vector w = optimizer_load(wp, n); \
    optimizer_vector g = (gradient_scale ? gradient_scale[gradient_scale_offset] : 1.0f) \
        * optimizer_load(gradients + gradients_offset + first, n); \
    if (clip_value > 0.0f) g = fmin(fmax(g, -clip_value), clip_value); \
    g += l2 * w + l1 * sign(w); \
    if (decoupled_decay != 0.0f) w *= 1.0f - lr * decoupled_decay; \
    (void)keras

// The work-item's elements of state array k (0, 1 or 2), computed only where a kernel uses it
// (an unused state is NULL). Selecting each pointer against NULL up front instead made the
// 10M-parameter Adam step 3-55% slower on PoCL (descent-bench, paired runs).
#define OPTIMIZER_STATE(k) (state##k + state##k##_offset + first)

// The end of every optimizer_step_* kernel: stores the updated parameters.
#define OPTIMIZER_END optimizer_store(wp, w, n)

// One kernel per update rule, named by the rule's UpdateKernel; the math of each is documented,
// and run as the reference, in its file of Sources/DescentTraining/Optimizers/.

__kernel void optimizer_step_sgd(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    if (momentum == 0.0f) {
        w -= lr * g;
    } else {
        const bool nesterov = (flags & OPTIMIZER_FLAG_NESTEROV) != 0;
        __global float* p0 = OPTIMIZER_STATE(0);
        optimizer_vector b;
        if (keras) {
            b = momentum * optimizer_load(p0, n) - lr * g;
            if (nesterov) w += momentum * b - lr * g; else w += b;
        } else {
            b = (flags & OPTIMIZER_FLAG_FIRST_STEP) ? g : momentum * optimizer_load(p0, n) + (1.0f - dampening) * g;
            if (nesterov) w -= lr * (g + momentum * b); else w -= lr * b;
        }
        optimizer_store(p0, b, n);
    }
    OPTIMIZER_END;
}

__kernel void optimizer_step_adagrad(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    __global float* p0 = OPTIMIZER_STATE(0);
    const optimizer_vector s = optimizer_load(p0, n) + g * g;
    optimizer_store(p0, s, n);
    if (keras) w -= step_size * g / sqrt(s + epsilon); else w -= step_size * g / (sqrt(s) + epsilon);
    OPTIMIZER_END;
}

__kernel void optimizer_step_rmsprop(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    const bool centered = (flags & OPTIMIZER_FLAG_CENTERED) != 0;
    __global float* p0 = OPTIMIZER_STATE(0);
    const optimizer_vector v = alpha * optimizer_load(p0, n) + (1.0f - alpha) * g * g;
    optimizer_store(p0, v, n);
    optimizer_vector mean_square = v;
    if (centered) {
        __global float* p1 = OPTIMIZER_STATE(1);
        const optimizer_vector a = alpha * optimizer_load(p1, n) + (1.0f - alpha) * g;
        optimizer_store(p1, a, n);
        mean_square -= a * a;
    }
    optimizer_vector d;
    if (keras) d = sqrt(mean_square + epsilon); else d = sqrt(mean_square) + epsilon;
    if (momentum != 0.0f) {
        __global float* pb = centered ? OPTIMIZER_STATE(2) : OPTIMIZER_STATE(1);
        optimizer_vector b;
        if (keras) {
            b = momentum * optimizer_load(pb, n) + lr * g / d;
            w -= b;
        } else {
            b = momentum * optimizer_load(pb, n) + g / d;
            w -= lr * b;
        }
        optimizer_store(pb, b, n);
    } else {
        w -= lr * g / d;
    }
    OPTIMIZER_END;
}

__kernel void optimizer_step_adadelta(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    __global float* p0 = OPTIMIZER_STATE(0);
    __global float* p1 = OPTIMIZER_STATE(1);
    const optimizer_vector v = rho * optimizer_load(p0, n) + (1.0f - rho) * g * g;
    optimizer_vector u = optimizer_load(p1, n);
    const optimizer_vector delta = sqrt(u + epsilon) / sqrt(v + epsilon) * g;
    u = rho * u + (1.0f - rho) * delta * delta;
    optimizer_store(p0, v, n);
    optimizer_store(p1, u, n);
    w -= lr * delta;
    OPTIMIZER_END;
}

__kernel void optimizer_step_adam(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    __global float* p0 = OPTIMIZER_STATE(0);
    __global float* p1 = OPTIMIZER_STATE(1);
    const optimizer_vector m = beta1 * optimizer_load(p0, n) + (1.0f - beta1) * g;
    const optimizer_vector v = beta2 * optimizer_load(p1, n) + (1.0f - beta2) * g * g;
    optimizer_store(p0, m, n);
    optimizer_store(p1, v, n);
    optimizer_vector second = v;
    if (flags & OPTIMIZER_FLAG_AMSGRAD) {
        __global float* p2 = OPTIMIZER_STATE(2);
        second = fmax(optimizer_load(p2, n), v);
        optimizer_store(p2, second, n);
    }
    if (keras) w -= step_size * m / (sqrt(second) + epsilon);
    else w -= step_size * m / (sqrt(second) / bias_correction2_root + epsilon);
    OPTIMIZER_END;
}

__kernel void optimizer_step_adamax(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    __global float* p0 = OPTIMIZER_STATE(0);
    __global float* p1 = OPTIMIZER_STATE(1);
    const optimizer_vector m = beta1 * optimizer_load(p0, n) + (1.0f - beta1) * g;
    optimizer_vector u;
    if (keras) {
        u = fmax(beta2 * optimizer_load(p1, n), fabs(g));
        w -= step_size * m / (u + epsilon);
    } else {
        u = fmax(beta2 * optimizer_load(p1, n), fabs(g) + epsilon);
        w -= step_size * m / u;
    }
    optimizer_store(p0, m, n);
    optimizer_store(p1, u, n);
    OPTIMIZER_END;
}

__kernel void optimizer_step_nadam(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    __global float* p0 = OPTIMIZER_STATE(0);
    __global float* p1 = OPTIMIZER_STATE(1);
    const optimizer_vector m = beta1 * optimizer_load(p0, n) + (1.0f - beta1) * g;
    const optimizer_vector v = beta2 * optimizer_load(p1, n) + (1.0f - beta2) * g * g;
    optimizer_store(p0, m, n);
    optimizer_store(p1, v, n);
    const optimizer_vector d = sqrt(v / bias_correction2) + epsilon;
    w -= step_size * g / d + momentum_step_size * m / d;
    OPTIMIZER_END;
}

__kernel void optimizer_step_lion(OPTIMIZER_PARAMETERS)
{
    OPTIMIZER_BEGIN;
    __global float* p0 = OPTIMIZER_STATE(0);
    const optimizer_vector m = optimizer_load(p0, n);
    w -= lr * sign(beta1 * m + (1.0f - beta1) * g);
    optimizer_store(p0, beta2 * m + (1.0f - beta2) * g, n);
    OPTIMIZER_END;
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
