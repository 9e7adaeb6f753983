// The activation functions and their derivatives, mirroring
// Sources/DescentCPU/ActivationMath.swift (the formulas and their PyTorch conventions are
// documented on DescentCore's Activation). No kernels: it comes first in the program
// (KernelProgram.swift), for activation.cl, loss.cl and matmul.cl, whose dense kernel applies an
// activation in its epilogue.
//
// `kind` selects the function (the same for every work-item, so the branch is uniform) and
// `parameter` is its slope or alpha.
//
// The piecewise-linear activations (identity, ReLU, leaky ReLU) also have functions without the
// switch, and the CPU kernels that apply an activation (activation.cl, the register-blocked dense
// forward) come in a second build for them, named *_piecewise_linear, that the host picks for those
// three (Activation.kernel(_:piecewiseLinear:)): PoCL does not take the switch out of its loop over work-items, so
// a kernel that can reach every activation pays for all of them (PoCL, 128 x 512: ReLU forward 0.23
// -> 0.10 ms, backward 0.27 -> 0.13 ms, the dense forward 784 -> 512 6% faster).
// ACTIVATION_* are generated from Sources/DescentOpenCL/KernelCodes.swift at the top of the program.

#define SELU_SCALE 1.0507009873554804934193349852946f
#define SELU_ALPHA 1.6732632423543772848170429916717f
#define SOFTPLUS_THRESHOLD 20.0f
#define GELU_SCALE 0.7978845608028654f
#define GELU_CUBIC 0.044715f

float stable_sigmoid(const float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + exp(-x));
    const float e = exp(x);
    return e / (1.0f + e);
}

float activation_value(const int kind, const float parameter, const float x)
{
    switch (kind) {
    case ACTIVATION_SIGMOID: return stable_sigmoid(x);
    case ACTIVATION_TANH: return tanh(x);
    case ACTIVATION_RELU: return x <= 0.0f ? 0.0f : x;  // a NaN stays NaN, as in PyTorch
    case ACTIVATION_LEAKY_RELU: return x > 0.0f ? x : parameter * x;
    case ACTIVATION_ELU: return x > 0.0f ? x : parameter * expm1(x);
    case ACTIVATION_SELU: return x > 0.0f ? SELU_SCALE * x : SELU_SCALE * (SELU_ALPHA * expm1(x));
    case ACTIVATION_SOFTPLUS: return x > SOFTPLUS_THRESHOLD ? x : log1p(exp(x));
    case ACTIVATION_GELU: {
        // 0.5 x (1 + tanh u) = x sigmoid(2u), which does not cancel to 0 for large negative x.
        const float inner = GELU_SCALE * (x + GELU_CUBIC * x * x * x);
        return x * stable_sigmoid(2.0f * inner);
    }
    default: return x;
    }
}

float activation_derivative(const int kind, const float parameter, const float x, const float y)
{
    switch (kind) {
    case ACTIVATION_SIGMOID: return y * (1.0f - y);
    case ACTIVATION_TANH: return 1.0f - y * y;
    case ACTIVATION_RELU: return x > 0.0f ? 1.0f : 0.0f;
    case ACTIVATION_LEAKY_RELU: return x > 0.0f ? 1.0f : parameter;
    case ACTIVATION_ELU: return x > 0.0f ? 1.0f : y + parameter;
    case ACTIVATION_SELU: return x > 0.0f ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    case ACTIVATION_SOFTPLUS: return x > SOFTPLUS_THRESHOLD ? 1.0f : stable_sigmoid(x);
    case ACTIVATION_GELU: {
        // d/dx [x sigmoid(2u)] = s + 2 x s (1 - s) u', with 1 - s = sigmoid(-2u).
        const float inner = GELU_SCALE * (x + GELU_CUBIC * x * x * x);
        const float inner_derivative = GELU_SCALE * (1.0f + 3.0f * GELU_CUBIC * x * x);
        const float s = stable_sigmoid(2.0f * inner);
        return s + 2.0f * x * s * stable_sigmoid(-2.0f * inner) * inner_derivative;
    }
    default: return 1.0f;
    }
}

// The slope of a piecewise-linear activation for x <= 0 (identity 1, ReLU 0, leaky ReLU `parameter`).
float piecewise_linear_slope(const int kind, const float parameter)
{
    return kind == ACTIVATION_RELU ? 0.0f : kind == ACTIVATION_LEAKY_RELU ? parameter : 1.0f;
}

// activation_value for identity, ReLU and leaky ReLU (ReLU gives +0, not slope * x, for x <= 0;
// a NaN is not <= 0, so it stays NaN).
float piecewise_linear_value(const int kind, const float parameter, const float x)
{
    if (!(x <= 0.0f)) return x;
    return kind == ACTIVATION_RELU ? 0.0f : piecewise_linear_slope(kind, parameter) * x;
}

// activation_derivative for identity, ReLU and leaky ReLU (which need only x).
float piecewise_linear_derivative(const int kind, const float parameter, const float x)
{
    return x > 0.0f ? 1.0f : piecewise_linear_slope(kind, parameter);
}
