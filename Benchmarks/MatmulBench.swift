@_spi(Benchmarking) import DescentOpenCL
import Descent

/// Matmul throughput on square products and on every GEMM of an MLP 784-512-256-10 training
/// step, for Descent's OpenCL kernel, the CPU reference and CLBlast, each result validated
/// against the CPU reference before it is timed.
enum MatmulBench {
    /// A product to time, with a label saying where it comes from.
    struct Case {
        var label: String
        var shape: MatmulShape
    }

    static func cases(quick: Bool) -> [Case] {
        let squares = (quick ? [256, 512] : [256, 512, 1024, 2048]).map {
            Case(label: "square", shape: MatmulShape(m: $0, n: $0, k: $0))
        }
        var mlp: [Case] = []
        for batch in [128, 1024] {
            for (inputs, outputs) in [(784, 512), (512, 256), (256, 10)] {
                mlp.append(
                    Case(
                        label: "mlp forward X*W",
                        shape: MatmulShape(m: batch, n: outputs, k: inputs)))
                mlp.append(
                    Case(
                        label: "mlp backward X^T*dY",
                        shape: MatmulShape(m: inputs, n: outputs, k: batch, transposeA: true)))
                mlp.append(
                    Case(
                        label: "mlp backward dY*W^T",
                        shape: MatmulShape(m: batch, n: inputs, k: outputs, transposeB: true)))
            }
        }
        return squares + mlp
    }

    static func describe(_ shape: MatmulShape) -> String {
        "m=\(shape.m) n=\(shape.n) k=\(shape.k)" + (shape.transposeA ? " A^T" : "")
            + (shape.transposeB ? " B^T" : "")
    }

    static func run(_ context: BenchContext, clblast: Result<CLBlast, CLBlast.LoadFailure>) throws {
        for item in cases(quick: context.quick)
        where context.selected("matmul", "", describe(item.shape)) {
            try run(item, context, clblast: clblast)
        }
    }

    private static func run(
        _ item: Case, _ context: BenchContext, clblast: Result<CLBlast, CLBlast.LoadFailure>
    ) throws {
        let shape = item.shape, description = describe(shape)
        let a = benchValues(shape.aShape.count, seed: 1),
            b = benchValues(shape.bShape.count, seed: 2)
        let reference = try referenceRows(a, b, shape: shape, cpu: context.cpu)
        let backend = context.openCL
        let aBuffer = try backend.makeBuffer(a), bBuffer = try backend.makeBuffer(b)
        let cBuffer = try backend.makeBuffer(count: shape.cShape.count)
        let peak = context.peakGigaflops

        func check(_ what: String) throws {
            let values = Array(try backend.download(cBuffer.view)[reference.range])
            let error = worstError(values, reference.values)
            guard error <= 1 else {
                throw ValidationFailure(what: "\(what) \(description)", error: error)
            }
        }

        if context.selected("matmul", "opencl", description) {
            try backend.matmul(aBuffer.view, bBuffer.view, cBuffer.view, shape: shape)
            try check("OpenCL matmul")
            let timing = try context.timeOpenCL {
                try backend.matmul(aBuffer.view, bBuffer.view, cBuffer.view, shape: shape)
            }
            try context.record(
                BenchResult(
                    name: "matmul", backend: "opencl", device: context.device, shape: description,
                    timing: timing,
                    rate: .gflops(shape.flops / (timing.median * 1e-3) / 1e9), peak: peak,
                    note: item.label))
        }
        switch clblast {
        case .success(let library) where context.selected("matmul", "clblast", description):
            try backend.fill(cBuffer.view, with: .nan)
            try library.multiply(aBuffer, bBuffer, cBuffer, shape: shape, on: backend)
            try check("CLBlast SGEMM")
            let timing = try context.timeOpenCL {
                try library.multiply(aBuffer, bBuffer, cBuffer, shape: shape, on: backend)
            }
            try context.record(
                BenchResult(
                    name: "matmul", backend: "clblast", device: context.device, shape: description,
                    timing: timing,
                    rate: .gflops(shape.flops / (timing.median * 1e-3) / 1e9), peak: peak,
                    note: item.label))
        default:
            break
        }
        // The CPU reference is timed where it finishes in reasonable time.
        if context.selected("matmul", "cpu", description),
            shape.flops <= (context.quick ? 3e8 : 3e9)
        {
            let cpu = context.cpu
            let ca = try cpu.makeBuffer(a), cb = try cpu.makeBuffer(b),
                cc = try cpu.makeBuffer(count: shape.cShape.count)
            let timing = try context.timeCPU {
                try cpu.matmul(ca.view, cb.view, cc.view, shape: shape)
            }
            try context.record(
                BenchResult(
                    name: "matmul", backend: "cpu", device: cpu.deviceName, shape: description,
                    timing: timing,
                    rate: .gflops(shape.flops / (timing.median * 1e-3) / 1e9), note: item.label))
        }
    }

    /// The CPU reference's values of a block of C's rows (all of C for transposed A, where a
    /// row block of op(A) is not contiguous), and where they sit in C.
    private static func referenceRows(
        _ a: [Float], _ b: [Float], shape: MatmulShape, cpu: CPUBackend
    ) throws -> (values: [Float], range: Range<Int>) {
        let rows = shape.transposeA ? shape.m : min(shape.m, 32)
        let first = shape.transposeA ? 0 : (shape.m - rows) / 2
        let block = MatmulShape(
            m: rows, n: shape.n, k: shape.k, transposeA: shape.transposeA,
            transposeB: shape.transposeB)
        let aBlock = shape.transposeA ? a : Array(a[first * shape.k..<(first + rows) * shape.k])
        let ca = try cpu.makeBuffer(aBlock), cb = try cpu.makeBuffer(b),
            cc = try cpu.makeBuffer(count: block.cShape.count)
        try cpu.matmul(ca.view, cb.view, cc.view, shape: block)
        return (try cpu.download(cc.view), first * shape.n..<(first + rows) * shape.n)
    }
}
