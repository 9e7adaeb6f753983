import DescentCore

extension OpenCLBackend {
    /// `matmul_tiled` in `Kernels/matmul.cl`: one work-group per `tuning.matmulTile`-square block of C.
    public func matmul(_ a: View, _ b: View, _ c: View, shape: MatmulShape, alpha: Float, beta: Float) throws {
        try Validation.matmul(a, b, c, shape: shape)
        let width = tuning.matmulGroupWidth
        let tile = tuning.matmulTile
        try launch(
            .matmul, "matmul_tiled",
            global: [(shape.n + tile - 1) / tile * width, (shape.m + tile - 1) / tile * width],
            local: [width, width],
            [.int(shape.m), .int(shape.n), .int(shape.k),
             .int(shape.transposeA ? 1 : 0), .int(shape.transposeB ? 1 : 0),
             .float(alpha), .float(beta), .view(a), .view(b), .view(c)])
    }
}
