/// The tunable constants of the kernels, passed to the OpenCL compiler as `-D` options.
///
/// Each kernel file declares its tunables with `#ifndef NAME / #define NAME default`; `default`
/// here matches those defaults and works on every OpenCL 1.2 device. `forDevice` picks the
/// matmul strategy for the kind of device and shrinks the work-group sizes where a device allows less.
public struct OpenCLTuning: Sendable, Equatable {
    /// How `matmul` and `denseForward` compute a product (`Kernels/matmul.cl`).
    public enum MatmulStrategy: String, Sendable, CaseIterable {
        /// Work-groups stage tiles of A and B in local memory (`matmul_tiled`, `dense_forward`): for GPUs.
        case tiled
        /// Each work-item computes a block of C in registers with explicit vectors, no local memory
        /// (`matmul_blocked`, `matmul_blocked_dot` for B^T, `dense_forward_blocked`): for CPUs, where
        /// PoCL vectorizes explicit vectors well and work-items poorly.
        case registerBlocked
    }

    public var matmulStrategy: MatmulStrategy
    /// Tiled: edge of the square block of C a matmul work-group computes.
    public var matmulTile: Int
    /// Tiled: depth of the A and B slices staged in local memory per step.
    public var matmulTileK: Int
    /// Tiled: outputs per work-item along each axis; the work-group is (tile / this)^2 work-items.
    public var matmulWorkPerItem: Int
    /// Register-blocked, B not transposed: rows of C per work-item (1 to 8).
    public var matmulBlockRows: Int
    /// Register-blocked, B not transposed: columns of C per work-item, the width of the vectors (4, 8 or 16).
    public var matmulVectorWidth: Int
    /// Register-blocked, B not transposed: values of k a work-group accumulates between barriers,
    /// so that its slice of B stays in the L1 cache on CPUs (k-blocking).
    public var matmulBlockDepth: Int
    /// Register-blocked, B transposed: rows and columns of C per work-item (each 1 to 4).
    public var matmulDotRows: Int
    public var matmulDotColumns: Int
    /// Register-blocked, B transposed: values of k per vector (4, 8 or 16).
    public var matmulDotVectorWidth: Int
    /// Register-blocked, B not transposed: work-items per work-group; they share columns of B and
    /// walk down the rows of A.
    public var matmulBlockedGroup: Int
    /// Register-blocked, B transposed: work-items per work-group.
    public var matmulDotGroup: Int
    /// Work-items per work-group of the row-wise kernels (softmax, reductions); a power of two.
    public var groupSize: Int
    /// Elements per work-item of the `optimizer_step_*` kernels, one explicit vector (2, 4, 8 or 16).
    public var optimizerWidth: Int

    public static let `default` = OpenCLTuning(
        matmulStrategy: .tiled, matmulTile: 32, matmulTileK: 16, matmulWorkPerItem: 4,
        matmulBlockRows: 4, matmulVectorWidth: 16, matmulBlockDepth: 64, matmulDotRows: 2,
        matmulDotColumns: 4, matmulDotVectorWidth: 8,
        matmulBlockedGroup: 8, matmulDotGroup: 8, groupSize: 128, optimizerWidth: 4)

    /// The default, with the register-blocked matmul, 16-wide optimizer steps (PoCL: 4 elements
    /// per work-item reach 47% of copy bandwidth, 16 reach 80%) and 16-item row work-groups on
    /// CPUs (softmax cross-entropy over 128 x 10 logits: 0.32 ms with 128 items a row, 0.064 ms
    /// with 16; batch norm unchanged), and work-groups no larger than `maxWorkGroupSize`.
    public static func forDevice(
        maxWorkGroupSize: Int, kind: OpenCLDeviceKind = .gpu
    ) -> OpenCLTuning {
        var tuning = OpenCLTuning.default
        if kind == .cpu {
            tuning.matmulStrategy = .registerBlocked
            tuning.optimizerWidth = 16
            tuning.groupSize = 16
        }
        while tuning.groupSize > max(maxWorkGroupSize, 1) { tuning.groupSize /= 2 }
        while tuning.matmulBlockedGroup > max(maxWorkGroupSize, 1) {
            tuning.matmulBlockedGroup /= 2
        }
        while tuning.matmulDotGroup > max(maxWorkGroupSize, 1) { tuning.matmulDotGroup /= 2 }
        while tuning.matmulWorkGroupItems > maxWorkGroupSize
            && tuning.matmulWorkPerItem < tuning.matmulTile
        {
            tuning.matmulWorkPerItem *= 2
        }
        return tuning
    }

    /// The matmul variant in words, e.g. "register-blocked 4x16 k 64 in groups of 8, B^T 2x4 by 8
    /// in groups of 8" or "tiled 32 (k 16, 4x4 per work-item)".
    public var matmulVariant: String {
        switch matmulStrategy {
        case .tiled:
            "tiled \(matmulTile) (k \(matmulTileK), \(matmulWorkPerItem)x\(matmulWorkPerItem) per work-item)"
        case .registerBlocked:
            "register-blocked \(matmulBlockRows)x\(matmulVectorWidth) k \(matmulBlockDepth) in groups of \(matmulBlockedGroup), "
                + "B^T \(matmulDotRows)x\(matmulDotColumns) by \(matmulDotVectorWidth) in groups of \(matmulDotGroup)"
        }
    }

    /// The matmul tunables `strategy` uses, each with the name `TuningCache` stores it under.
    static func matmulFields(
        of strategy: MatmulStrategy
    ) -> [(name: String, keyPath: WritableKeyPath<OpenCLTuning, Int>)] {
        switch strategy {
        case .tiled:
            [
                ("tile", \.matmulTile), ("tile_k", \.matmulTileK),
                ("work_per_item", \.matmulWorkPerItem),
            ]
        case .registerBlocked:
            [
                ("block_rows", \.matmulBlockRows), ("vector_width", \.matmulVectorWidth),
                ("block_depth", \.matmulBlockDepth),
                ("group", \.matmulBlockedGroup), ("dot_rows", \.matmulDotRows),
                ("dot_columns", \.matmulDotColumns),
                ("dot_vector_width", \.matmulDotVectorWidth), ("dot_group", \.matmulDotGroup),
            ]
        }
    }

    /// The tunables of each matmul kernel family, for telling variants apart: `matmul_blocked`
    /// with the dense forward, `matmul_blocked_dot`, and the tiled kernels.
    public var blockedTunables: [Int] {
        [matmulBlockRows, matmulVectorWidth, matmulBlockDepth, matmulBlockedGroup]
    }
    public var dotTunables: [Int] {
        [matmulDotRows, matmulDotColumns, matmulDotVectorWidth, matmulDotGroup]
    }
    public var tiledTunables: [Int] { [matmulTile, matmulTileK, matmulWorkPerItem] }

    /// Work-items per side of a matmul work-group.
    var matmulGroupWidth: Int { matmulTile / matmulWorkPerItem }
    var matmulWorkGroupItems: Int { matmulGroupWidth * matmulGroupWidth }

    /// The `-D` options of the matmul program (`KernelProgram.matmul`): the strategy, whose
    /// kernels alone are built, and the tunables.
    var matmulBuildOptions: String {
        (matmulStrategy == .tiled ? "-D MATMUL_TILED" : "-D MATMUL_REGISTER_BLOCKED")
            + " -D TILE=\(matmulTile) -D TILE_K=\(matmulTileK) -D WORK_PER_ITEM=\(matmulWorkPerItem)"
            + " -D BLOCK_ROWS=\(matmulBlockRows) -D VECTOR_WIDTH=\(matmulVectorWidth)"
            + " -D BLOCK_DEPTH=\(matmulBlockDepth) -D DOT_ROWS=\(matmulDotRows)"
            + " -D DOT_COLUMNS=\(matmulDotColumns) -D DOT_VECTOR_WIDTH=\(matmulDotVectorWidth)"
            + " -D BLOCKED_GROUP=\(matmulBlockedGroup) -D DOT_GROUP=\(matmulDotGroup)"
    }

    /// The `-D` options of every other kernel (`KernelProgram.core`).
    var coreBuildOptions: String {
        "-D GROUP_SIZE=\(groupSize) -D OPTIMIZER_WIDTH=\(optimizerWidth)"
    }
}
