import Descent
import Testing

/// The pieces of data-parallel training that need no second process: how a batch is shared
/// out, how a launch is detected, the single-process communicator and a missing MPI library.
/// (`CLITests.DistributedTrainingTests` runs the real thing under `mpirun`.)
@Suite struct DistributedTests {
    @Test func rankSlicesTakeEveryRowOnceAndNeverOneRowAlone() {
        for size in 1...5 {
            for rows in 0...40 {
                let slices = (0..<size).map { RankSlice(rows: rows, rank: $0, size: size) }
                var next = 0
                for slice in slices where slice.count > 0 {
                    #expect(slice.offset == next, "rows \(rows), size \(size): contiguous")
                    next += slice.count
                    #expect(
                        slice.count >= 2 || rows < 2, "rows \(rows), size \(size): a 1-row slice")
                }
                #expect(next == rows, "rows \(rows), size \(size): every row once")
                if rows >= 2 * size {
                    let counts = slices.map(\.count)
                    #expect(counts.max()! - counts.min()! <= 1, "rows \(rows), size \(size): even")
                }
            }
        }
        #expect(RankSlice(rows: 4, rank: 2, size: 3).count == 0)
        let middle = RankSlice(rows: 5, rank: 1, size: 3)
        #expect(middle.offset == 2 && middle.count == 3)
    }

    @Test func aLaunchIsDetectedFromTheLaunchersVariables() throws {
        let openMPI: DistributedLaunch.Environment = {
            ["OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_RANK": "1"][$0]
        }
        #expect(DistributedLaunch.launchedSize(environment: openMPI) == 4)
        #expect(DistributedLaunch.localRank(environment: openMPI) == 1)
        #expect(DistributedLaunch.launchedSize(environment: { $0 == "PMI_SIZE" ? "2" : nil }) == 2)
        let alone: DistributedLaunch.Environment = { _ in nil }
        #expect(DistributedLaunch.launchedSize(environment: alone) == nil)
        #expect(try DistributedLaunch.communicator(environment: alone) is SingleProcessCommunicator)
    }

    @Test func aMissingMPILibraryIsATypedErrorThatSaysWhatToInstall() {
        let environment: DistributedLaunch.Environment = {
            ["OMPI_COMM_WORLD_SIZE": "2", "DESCENT_MPI_LIBRARY": "/nonexistent/libmpi.so.40"][$0]
        }
        do {
            _ = try DistributedLaunch.communicator(environment: environment)
            Issue.record("a communicator without a library")
        } catch let error as DescentError {
            guard case .distributedRuntimeUnavailable = error else {
                Issue.record("\(error)")
                return
            }
            #expect("\(error)".contains("apt-get install openmpi-bin"))
            #expect("\(error)".contains("/nonexistent/libmpi.so.40"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func oneProcessIsRankZeroOfOneAndItsCollectivesKeepTheValues() throws {
        let communicator = SingleProcessCommunicator()
        #expect(communicator.isRoot && !communicator.isDistributed)
        var values: [Float] = [1, -2, 3]
        try communicator.allreduceSum(&values)
        #expect(values == [1, -2, 3])
        #expect(try communicator.broadcast([7, 8, 9]) == [7, 8, 9])
        #expect(try communicator.allgather("text") == ["text"])
    }

    @Test func aDrawPositionPlacesEachRowWhereOneProcessWouldDrawIt() {
        // Row 3 of step 2 at maxBatch 8, 5 values a row: 2 * 40 + 3 * 5.
        #expect(DrawPosition(step: 2, firstRow: 3).offset(maxBatch: 8, valuesPerRow: 5) == 95)
        #expect(DrawPosition(step: 2).offset(maxBatch: 8, valuesPerRow: 5) == 80)
    }
}
