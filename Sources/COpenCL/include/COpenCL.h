// OpenCL 1.2 host API, as provided by Debian's opencl-headers and ocl-icd-opencl-dev.
// Descent targets OpenCL 1.2 so that every device (NVIDIA, AMD, Intel, PoCL) can run it.
#ifndef DESCENT_COPENCL_H
#define DESCENT_COPENCL_H
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#endif
