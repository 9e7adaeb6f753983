// Pointwise activations, forward and backward. Mirrors
// Sources/DescentCPU/CPUBackend+Activation.swift; the functions are in activation_functions.cl,
// which comes earlier in the program (Sources/DescentOpenCL/KernelProgram.swift).

__kernel void activation_forward(const int count, const int kind, const float parameter,
                                 __global const float* input, const int input_offset,
                                 __global float* output, const int output_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    output[output_offset + i] = activation_value(kind, parameter, input[input_offset + i]);
}

__kernel void activation_backward(const int count, const int kind, const float parameter,
                                  __global const float* input, const int input_offset,
                                  __global const float* output, const int output_offset,
                                  __global const float* output_gradient, const int output_gradient_offset,
                                  __global float* input_gradient, const int input_gradient_offset)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    const float derivative = activation_derivative(kind, parameter, input[input_offset + i],
                                                   output[output_offset + i]);
    input_gradient[input_gradient_offset + i] = derivative * output_gradient[output_gradient_offset + i];
}
