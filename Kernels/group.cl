// Work-group reductions shared by the row-wise kernels (softmax.cl, layernorm.cl, loss.cl); this
// file comes before theirs in the program (KernelProgram.swift). A work-group is GROUP_SIZE (a power of two) work-items and
// every work-item must call these, with a __local scratch of GROUP_SIZE floats.

#ifndef GROUP_SIZE
#define GROUP_SIZE 128
#endif

float group_sum(__local float* scratch, const float value)
{
    const int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP_SIZE / 2; stride > 0; stride >>= 1) {
        if (lid < stride) scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}

// The largest value; a NaN anywhere makes the result NaN.
float group_max(__local float* scratch, const float value)
{
    const int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP_SIZE / 2; stride > 0; stride >>= 1) {
        if (lid < stride) {
            const float other = scratch[lid + stride];
            if (other > scratch[lid] || isnan(other)) scratch[lid] = other;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float result = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return result;
}
