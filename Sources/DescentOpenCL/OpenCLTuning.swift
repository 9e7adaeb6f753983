/// The tunable constants of the kernels, passed to the OpenCL compiler as `-D` options.
///
/// Each kernel file declares its tunables with `#ifndef NAME / #define NAME default`; `default`
/// here matches those defaults and works on every OpenCL 1.2 device. `forDevice` shrinks the
/// work-group sizes where a device allows less.
public struct OpenCLTuning: Sendable, Equatable {
    /// Edge of the square block of C a matmul work-group computes.
    public var matmulTile: Int
    /// Depth of the A and B slices staged in local memory per step.
    public var matmulTileK: Int
    /// Outputs per work-item along each axis; the work-group is (tile / this)^2 work-items.
    public var matmulWorkPerItem: Int
    /// Work-items per work-group of the row-wise kernels (softmax, reductions); a power of two.
    public var groupSize: Int

    public static let `default` = OpenCLTuning(matmulTile: 32, matmulTileK: 16, matmulWorkPerItem: 4, groupSize: 128)

    /// The default, with work-groups no larger than `maxWorkGroupSize`.
    public static func forDevice(maxWorkGroupSize: Int) -> OpenCLTuning {
        var tuning = OpenCLTuning.default
        while tuning.groupSize > max(maxWorkGroupSize, 1) { tuning.groupSize /= 2 }
        while tuning.matmulWorkGroupItems > maxWorkGroupSize && tuning.matmulWorkPerItem < tuning.matmulTile {
            tuning.matmulWorkPerItem *= 2
        }
        return tuning
    }

    /// Work-items per side of a matmul work-group.
    var matmulGroupWidth: Int { matmulTile / matmulWorkPerItem }
    var matmulWorkGroupItems: Int { matmulGroupWidth * matmulGroupWidth }

    /// The `-D` options every program is built with.
    var buildOptions: String {
        "-D TILE=\(matmulTile) -D TILE_K=\(matmulTileK) -D WORK_PER_ITEM=\(matmulWorkPerItem) -D GROUP_SIZE=\(groupSize)"
    }
}
