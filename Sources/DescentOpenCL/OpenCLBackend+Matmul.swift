import DescentCore

extension OpenCLBackend {
    /// `Kernels/matmul.cl`, by `tuning.matmulStrategy`: `matmul_tiled` (one work-group per
    /// `tuning.matmulTile`-square block of C), or `matmul_blocked` / `matmul_blocked_dot` (B^T)
    /// (one register block of C per work-item).
    public func matmul(_ a: View, _ b: View, _ c: View, shape: MatmulShape, alpha: Float, beta: Float) throws {
        try Validation.matmul(a, b, c, shape: shape)
        let arguments: [KernelArgument] = [
            .int(shape.m), .int(shape.n), .int(shape.k), .int(shape.transposeA ? 1 : 0),
        ]
        switch tuning.matmulStrategy {
        case .tiled:
            let width = tuning.matmulGroupWidth, tile = tuning.matmulTile
            try launch(
                "matmul_tiled",
                global: [(shape.n + tile - 1) / tile * width, (shape.m + tile - 1) / tile * width],
                local: [width, width],
                arguments + [.int(shape.transposeB ? 1 : 0), .float(alpha), .float(beta), .view(a), .view(b), .view(c)])
        case .registerBlocked:
            let (kernel, rows, columns, group) =
                shape.transposeB
                ? ("matmul_blocked_dot", tuning.matmulDotRows, tuning.matmulDotColumns, tuning.matmulDotGroup)
                : ("matmul_blocked", tuning.matmulBlockRows, tuning.matmulVectorWidth, tuning.matmulBlockedGroup)
            try launch(
                kernel, global: blockedGlobalSize(m: shape.m, n: shape.n, rows: rows, columns: columns),
                local: [group, 1],
                arguments + [.float(alpha), .float(beta), .view(a), .view(b), .view(c)])
        }
    }

    /// The global size of a register-blocked launch: dimension 0 walks blocks of `rows` rows of C,
    /// dimension 1 blocks of `columns` columns (`launch` rounds up to whole work-groups).
    func blockedGlobalSize(m: Int, n: Int, rows: Int, columns: Int) -> [Int] {
        [(m + rows - 1) / rows, (n + columns - 1) / columns]
    }
}
