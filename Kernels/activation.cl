// Pointwise activations, forward and backward. Mirrors
// Sources/DescentCPU/CPUBackend+Activation.swift; the functions are in activation_functions.cl,
// which comes earlier in the program (Sources/DescentOpenCL/KernelProgram.swift).

// The bodies of the kernels below; `piecewise_linear` is a constant in each, so the compiler
// keeps one of the two calls.
void apply_activation(const int piecewise_linear, const int count, const int kind, const float parameter,
                      __global const float* input, __global float* output)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    output[i] = piecewise_linear ? piecewise_linear_value(kind, parameter, input[i])
                                 : activation_value(kind, parameter, input[i]);
}

void apply_activation_derivative(const int piecewise_linear, const int count, const int kind, const float parameter,
                                 __global const float* input, __global const float* output,
                                 __global const float* output_gradient, __global float* input_gradient)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    const float derivative = piecewise_linear ? piecewise_linear_derivative(kind, parameter, input[i])
                                              : activation_derivative(kind, parameter, input[i], output[i]);
    input_gradient[i] = derivative * output_gradient[i];
}

// The kernels' parameters and how they reach the bodies above; each kernel has a second build
// with the same parameters.
#define ACTIVATION_FORWARD_PARAMETERS const int count, const int kind, const float parameter, \
    __global const float* input, const int input_offset, __global float* output, const int output_offset
#define ACTIVATION_FORWARD_ARGUMENTS count, kind, parameter, input + input_offset, output + output_offset
#define ACTIVATION_BACKWARD_PARAMETERS const int count, const int kind, const float parameter, \
    __global const float* input, const int input_offset, __global const float* output, const int output_offset, \
    __global const float* output_gradient, const int output_gradient_offset, \
    __global float* input_gradient, const int input_gradient_offset
#define ACTIVATION_BACKWARD_ARGUMENTS count, kind, parameter, input + input_offset, output + output_offset, \
    output_gradient + output_gradient_offset, input_gradient + input_gradient_offset

__kernel void activation_forward(ACTIVATION_FORWARD_PARAMETERS)
{
    apply_activation(0, ACTIVATION_FORWARD_ARGUMENTS);
}

// activation_forward for identity, ReLU and leaky ReLU (see activation_functions.cl).
__kernel void activation_forward_piecewise_linear(ACTIVATION_FORWARD_PARAMETERS)
{
    apply_activation(1, ACTIVATION_FORWARD_ARGUMENTS);
}

__kernel void activation_backward(ACTIVATION_BACKWARD_PARAMETERS)
{
    apply_activation_derivative(0, ACTIVATION_BACKWARD_ARGUMENTS);
}

// activation_backward for identity, ReLU and leaky ReLU.
__kernel void activation_backward_piecewise_linear(ACTIVATION_BACKWARD_PARAMETERS)
{
    apply_activation_derivative(1, ACTIVATION_BACKWARD_ARGUMENTS);
}
