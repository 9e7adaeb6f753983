import COpenCL
import DescentCore

/// The kernels of `Kernels/peak.cl`, for `descent-bench`: they measure the device, not a model,
/// so they are not part of the `Backend` protocol.
@_spi(Benchmarking)
extension OpenCLBackend {
    /// Copies `source` to `destination` (same count, a multiple of 4 elements, offsets 0):
    /// `8 * count` bytes of memory traffic.
    public func streamCopy(_ source: OpenCLBuffer, to destination: OpenCLBuffer) throws {
        guard source.count == destination.count, source.count % 4 == 0 else {
            throw DescentError.invalidArgument(
                operation: "streamCopy", reason: "two buffers of the same count, a multiple of 4")
        }
        try launchElementwise(
            .streamCopy, count: source.count / 4,
            [
                .memory(source.memory), .memory(destination.memory), .int(source.count / 4),
            ])
    }

    /// Runs `output.count` work-items of `iterations` iterations of 8 float8 FMA chains:
    /// `128 * iterations * output.count` floating-point operations.
    public func fmaChain(output: OpenCLBuffer, iterations: Int) throws {
        try launch(
            .fmaChain, global: [output.count], local: [min(64, device.maxWorkGroupSize)],
            [
                .memory(output.memory), .int(output.count), .int(iterations), .float(0.999),
            ])
    }

    /// The command queue, for libraries that enqueue on it (CLBlast in the benchmark).
    public var commandQueue: cl_command_queue { queue.raw }
}

@_spi(Benchmarking)
extension OpenCLBuffer {
    /// The `cl_mem` behind the buffer, for libraries that take one (CLBlast in the benchmark).
    public var clMemory: cl_mem { memory }
}
