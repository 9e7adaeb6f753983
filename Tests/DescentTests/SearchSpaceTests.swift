import Descent
import DescentCore
import Testing

/// Search spaces from the command-line and JSON forms, and the bad inputs they refuse.
@Suite struct SearchSpaceTests {
    static let names = ["lr", "weight-decay", "dropout", "hidden", "batch-size", "optimizer"]

    @Test func parsesTheCommandLineFormWithCommasInsideChoices() throws {
        let space = try SearchSpace(
            parsing:
                "lr=log:1e-4:1e-1,dropout=uniform:0:0.5,hidden=choice:64|128,256|128,optimizer=choice:adam|momentum,batch-size=intlog:16:256",
            allowedNames: Self.names)
        #expect(
            space.hyperparameters.map(\.name) == [
                "lr", "dropout", "hidden", "optimizer", "batch-size",
            ])
        #expect(space["lr"]?.domain == .logUniform(low: 1e-4, high: 0.1))
        #expect(space["dropout"]?.domain == .uniform(low: 0, high: 0.5))
        #expect(space["hidden"]?.domain == .choice(["64", "128,256", "128"]))
        #expect(space["batch-size"]?.domain == .integerLogUniform(low: 16, high: 256))
        #expect(try SearchSpace(parsing: space.description) == space, "the description parses back")
        #expect(space.fingerprint.count == 16)
        #expect(try SearchSpace(parsing: space.description).fingerprint == space.fingerprint)
        #expect(try SearchSpace(parsing: "lr=log:1e-4:1e-2").fingerprint != space.fingerprint)
    }

    @Test func theJSONFormGivesTheSameSpace() throws {
        let json = try SearchSpace(
            json: """
                {"lr": {"log": [1e-4, 0.1]}, "hidden": {"choice": ["64", "128,256", 128]}, "batch-size": {"int": [16, 64]}}
                """)
        // A JSON object keeps no order: the space's hyperparameters come in the order of their names.
        #expect(
            json
                == (try SearchSpace(
                    parsing: "batch-size=int:16:64,hidden=choice:64|128,256|128,lr=log:1e-4:0.1")))
        // A JSON choice is taken as written (':' is not a separator there), except '|', which
        // would make its description, and so its fingerprint, that of two choices.
        let choices = try SearchSpace(json: #"{"optimizer": {"choice": ["adam", "a:b"]}}"#)
        #expect(choices["optimizer"]?.domain == .choice(["adam", "a:b"]))
        for (json, expected) in [
            (#"{"optimizer": {"choice": ["adam|nesterov"]}}"#, "cannot contain '|'"),
            (#"{"lr": {"log": [1e-4, 0.1, 1]}}"#, "two bounds"),
        ] {
            do {
                _ = try SearchSpace(json: json)
                Issue.record("\(json) was accepted")
            } catch DescentError.invalidArgument(_, let reason) {
                #expect(reason.contains(expected), "\(reason)")
            }
        }
    }

    @Test(arguments: [
        ("lr=log:0:0.1", "cannot include 0"),
        ("lr=log:-1:0.1", "cannot include 0"),
        ("dropout=uniform:0.5:0.1", "the range is empty"),
        ("dropout=uniform:0.3:0.3", "the range is empty"),
        ("batch-size=int:64:16", "the range is empty"),
        ("momentum=uniform:0:1", "unknown hyperparameter 'momentum'"),
        ("lr=gaussian:0:1", "unknown kind"),
        ("lr=log:1e-4", "two bounds"),
        ("optimizer=choice:", "non-empty"),
        ("lr=log:1e-4:1e-1,lr=log:1e-3:1e-2", "given twice"),
    ])
    func badSpacesAreClearErrors(text: String, expected: String) throws {
        do {
            _ = try SearchSpace(parsing: text, allowedNames: Self.names)
            Issue.record("\(text) was accepted")
        } catch DescentError.invalidArgument(_, let reason) {
            #expect(reason.contains(expected), "\(reason)")
        }
    }

    @Test func domainsSpaceGridValuesOnTheirScale() throws {
        #expect(
            HyperparameterDomain.logUniform(low: 1e-3, high: 1e-1).gridValues(count: 3).map {
                $0.numeric!
            }
            .enumerated().allSatisfy { abs($0.element - [1e-3, 1e-2, 1e-1][$0.offset]) < 1e-12 })
        #expect(
            HyperparameterDomain.uniform(low: 0, high: 0.5).gridValues(count: 3) == [
                .real(0), .real(0.25), .real(0.5),
            ])
        #expect(
            HyperparameterDomain.integer(low: 1, high: 2).gridValues(count: 5) == [
                .integer(1), .integer(2),
            ])
        #expect(
            HyperparameterDomain.integerLogUniform(low: 16, high: 256).gridValues(count: 3) == [
                .integer(16), .integer(64), .integer(256),
            ])
    }
}
