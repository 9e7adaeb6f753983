// Descent: train neural networks on OpenCL devices, with a CPU reference backend that the same
// model, loss and optimizer code runs on. `import Descent` brings in everything: the Backend
// protocol and both backends, the training core (DescentTraining) and the workshop around it
// (DescentWorkshop: diagnostics, reports, search, data-set readers).
@_exported import DescentCore
@_exported import DescentCPU
@_exported import DescentOpenCL
@_exported import DescentTraining
@_exported import DescentWorkshop
