import COpenCL
@_spi(Benchmarking) import DescentOpenCL
import Descent
#if canImport(Glibc)
import Glibc
#endif

/// CLBlast's SGEMM [1], loaded at run time with `dlopen` so that it is an anchor for the
/// benchmark, not a build dependency. Row-major, the same layout as Descent's matmul.
///
/// [1]: Nugteren, "CLBlast: A Tuned OpenCL BLAS Library", IWOCL 2018. C API: `clblast_c.h`.
struct CLBlast {
    private typealias Sgemm =
        @convention(c) (
            Int32, Int32, Int32, Int, Int, Int, Float, cl_mem?, Int, Int, cl_mem?, Int, Int, Float,
            cl_mem?, Int, Int,
            UnsafeMutablePointer<cl_command_queue?>?, UnsafeMutablePointer<cl_event?>?
        ) -> Int32

    private typealias Sconvgemm =
        @convention(c) (
            Int32, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int,
            cl_mem?, Int, cl_mem?, Int, cl_mem?, Int,
            UnsafeMutablePointer<cl_command_queue?>?, UnsafeMutablePointer<cl_event?>?
        ) -> Int32

    private static let rowMajor: Int32 = 101
    private static let noTranspose: Int32 = 111, transpose: Int32 = 112
    private static let crossCorrelation: Int32 = 151

    private let sgemm: Sgemm
    /// `CLBlastSconvgemm` (CLBlast 1.5 and later), nil in older versions.
    private let sconvgemm: Sconvgemm?

    /// The library, or nil with the reason (not installed, symbol missing).
    static func load() -> Result<CLBlast, LoadFailure> {
        guard let handle = dlopen("libclblast.so.1", RTLD_NOW) ?? dlopen("libclblast.so", RTLD_NOW)
        else {
            return .failure(
                LoadFailure(
                    reason: "not installed (libclblast.so.1 not found; apt-get install libclblast1)"
                ))
        }
        guard let symbol = dlsym(handle, "CLBlastSgemm") else {
            return .failure(LoadFailure(reason: "libclblast has no CLBlastSgemm"))
        }
        return .success(
            CLBlast(
                sgemm: unsafeBitCast(symbol, to: Sgemm.self),
                sconvgemm: dlsym(handle, "CLBlastSconvgemm").map {
                    unsafeBitCast($0, to: Sconvgemm.self)
                }))
    }

    struct LoadFailure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    /// Enqueues `C = op(A) op(B)` on the backend's queue (does not wait).
    func multiply(
        _ a: OpenCLBuffer, _ b: OpenCLBuffer, _ c: OpenCLBuffer, shape: MatmulShape,
        on backend: OpenCLBackend
    ) throws {
        var queue: cl_command_queue? = backend.commandQueue
        let status = sgemm(
            Self.rowMajor, shape.transposeA ? Self.transpose : Self.noTranspose,
            shape.transposeB ? Self.transpose : Self.noTranspose,
            shape.m, shape.n, shape.k, 1,
            a.clMemory, 0, shape.aShape.columns, b.clMemory, 0, shape.bShape.columns, 0, c.clMemory,
            0, shape.n,
            &queue, nil)
        guard status == 0 else {
            throw DescentError.invalidArgument(
                operation: "CLBlastSgemm", reason: "status \(status) for \(shape)")
        }
    }

    /// Whether this CLBlast has `Xconvgemm`.
    var hasConvolution: Bool { sconvgemm != nil }

    /// Enqueues CLBlast's convolution forward (`Xconvgemm`, cross-correlation: its own im2col
    /// and batched GEMM) of NCHW `input` with OIHW `weights` into NCHW `output`, without a bias.
    func convolve(
        _ input: OpenCLBuffer, _ weights: OpenCLBuffer, _ output: OpenCLBuffer,
        shape: ConvolutionShape, on backend: OpenCLBackend
    ) throws {
        guard let sconvgemm else {
            throw DescentError.invalidArgument(
                operation: "CLBlastSconvgemm", reason: "this CLBlast has no Xconvgemm (before 1.5)")
        }
        var queue: cl_command_queue? = backend.commandQueue
        let status = sconvgemm(
            Self.crossCorrelation, shape.inputChannels, shape.inputHeight, shape.inputWidth,
            shape.kernelHeight, shape.kernelWidth, shape.padding, shape.padding, shape.stride,
            shape.stride, 1, 1, shape.outputChannels, shape.batch, input.clMemory, 0,
            weights.clMemory, 0, output.clMemory, 0, &queue, nil)
        guard status == 0 else {
            throw DescentError.invalidArgument(
                operation: "CLBlastSconvgemm", reason: "status \(status) for \(shape)")
        }
    }
}
