// Descent: train neural networks on OpenCL devices, with a CPU reference backend that the same
// model, loss and optimizer code runs on. `import Descent` brings in the Backend protocol and both
// backends.
@_exported import DescentCore
@_exported import DescentCPU
@_exported import DescentOpenCL
