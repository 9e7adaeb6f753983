// The target `DescentKernels` is this folder: its `*.cl` files are the single source of truth for
// Descent's OpenCL C. The EmbedKernels build plugin turns them into `enum KernelSource` at build
// time, so nothing is read from disk at run time.
