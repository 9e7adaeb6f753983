import Descent
import Testing

struct CSVReaderTests {
    @Test func parsesQuotedFieldsLineEndingsAndBlankLines() throws {
        let text =
            "\u{FEFF}name, size ,\"note\"\r\n"
            + "a,1,plain\r\n"
            + "\n"
            + "\"b, with comma\",2,\"say \"\"hi\"\"\"\n"
            + "c,3,\"two\nlines\"\n"
            + "d,4,\n"
            + "\"\",5,x"
        let table = try CSVReader.parse(text, source: "inline")
        #expect(table.header == ["name", "size", "note"])
        #expect(
            table.rows == [
                ["a", "1", "plain"],
                ["b, with comma", "2", "say \"hi\""],
                ["c", "3", "two\nlines"],
                ["d", "4", ""],
                ["", "5", "x"],
            ])
        #expect(table.lineNumbers == [2, 4, 5, 7, 8])
        #expect(table.source == "inline")
    }

    @Test func buildsAClassificationDataset() throws {
        let text = """
            sepal,species,petal
            5.1,setosa,1.4
            7.0,versicolor, 4.7
            6.3,virginica,6.0e0
            4.9, setosa ,-1.5
            """
        let dataset = try CSVReader.dataset(from: CSVReader.parse(text), label: .classes("species"))
        #expect(dataset.sampleCount == 4)
        #expect(dataset.featureCount == 2)
        #expect(dataset.featureNames == ["sepal", "petal"])
        #expect(dataset.features == [5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, -1.5])
        #expect(dataset.classNames == ["setosa", "versicolor", "virginica"])
        #expect(dataset.classIndices == [0, 1, 2, 0])
        #expect(dataset.classCount == 3)
    }

    @Test func sortsIntegerClassLabelsNumerically() throws {
        let text = "x,digit\n1,10\n2,2\n3,9\n4,2\n"
        let dataset = try CSVReader.dataset(from: CSVReader.parse(text), label: .classes("digit"))
        #expect(dataset.classNames == ["2", "9", "10"])
        #expect(dataset.classIndices == [2, 0, 1, 0])
    }

    @Test func buildsARegressionDatasetFromChosenColumns() throws {
        let text = "id,a,b,y1,y2\n7,1,2,0.5,-0.5\n8,3,4,1.5,-1.5\n"
        let dataset = try CSVReader.dataset(
            from: CSVReader.parse(text), label: .targets(["y2", "y1"]), featureColumns: ["b", "a"])
        #expect(dataset.features == [2, 1, 4, 3])
        #expect(dataset.targets == [-0.5, 0.5, -1.5, 1.5])
        #expect(dataset.labelWidth == 2)
        #expect(dataset.featureNames == ["b", "a"])
    }

    @Test(arguments: [false, true])
    func readsFiles(gzip: Bool) throws {
        let directory = try DataTemporaryDirectory()
        let path = directory.write("data.csv", text: "f,label\n0.25,yes\n0.75,no\n", gzip: gzip)
        let dataset = try CSVReader.readDataset(path: path, label: .classes("label"))
        #expect(dataset.features == [0.25, 0.75])
        #expect(dataset.classNames == ["no", "yes"])
        #expect(dataset.classIndices == [1, 0])
        expectDescentError(mentioning: ["cannot open", directory.path + "/absent.csv"]) {
            _ = try CSVReader.read(path: directory.path + "/absent.csv")
        }
    }

    /// Binary bytes are not read as CSV records, and a long or odd value is shortened in messages.
    @Test func binaryFilesAndHugeFieldsGetShortMessages() throws {
        let directory = try DataTemporaryDirectory()
        let png = directory.write(
            "image.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x10])
        expectDescentError(mentioning: ["image.csv is not a CSV text file", "NUL byte"]) {
            _ = try CSVReader.read(path: png)
        }
        let latin1 = directory.write(
            "latin1.csv", Array("a,label\n1,caf".utf8) + [0xE9] + Array("\n".utf8))
        expectDescentError(mentioning: ["line 2", "not UTF-8"]) {
            _ = try CSVReader.read(path: latin1)
        }
        let huge = directory.write(
            "huge.csv", text: "a,label\n" + String(repeating: "x", count: 100_000) + ",y\n")
        do {
            _ = try CSVReader.readDataset(path: huge, label: .classes("label"))
            Issue.record("expected an error")
        } catch {
            #expect(
                "\(error)".count < 300 && "\(error)".contains("xxx..."), "\("\(error)".prefix(300))"
            )
        }
    }

    /// Integer labels written as floats are classes, one class per integer however written.
    @Test func integerValuedFloatLabelsAreClasses() throws {
        let table = try CSVReader.parse(
            "x,label\n1,0.0\n2,1.0\n3,2.0\n4,1\n5,2e0\n6,10.00\n", source: "floats.csv")
        #expect(try CSVReader.inferredLabel(column: "label", in: table) == .classes("label"))
        let dataset = try CSVReader.dataset(from: table, label: .classes("label"))
        #expect(dataset.classNames == ["0", "1", "2", "10"])
        #expect(dataset.classIndices == [0, 1, 2, 1, 2, 3])
        let real = try CSVReader.parse("x,y\n1,0.5\n2,1.0\n", source: "real.csv")
        #expect(try CSVReader.inferredLabel(column: "y", in: real) == .targets(["y"]))
    }

    /// A `.csv.gz` cut anywhere inside its compressed stream is an error, never a shorter data set
    /// (zlib's end of stream is checked).
    @Test func aTruncatedGzipIsAnErrorAtEveryCut() throws {
        let directory = try DataTemporaryDirectory()
        let rows = (0..<600).map { "\($0 % 3),\(Double($0) * 0.5),\(Double($0 % 7))" }
        let full = directory.write(
            "full.csv.gz", text: "label,a,b\n" + rows.joined(separator: "\n") + "\n", gzip: true)
        let bytes = try #require(directory.contents(of: "full.csv.gz"))
        #expect(try CSVReader.read(path: full).rows.count == 600)
        var cuts = 0
        for cut in stride(from: 20, to: bytes.count - 1, by: max(1, bytes.count / 36)) {
            let path = directory.write("cut\(cut).csv.gz", Array(bytes.prefix(cut)))
            expectDescentError(mentioning: ["cut\(cut).csv.gz", "truncated"]) {
                _ = try CSVReader.read(path: path)
            }
            cuts += 1
        }
        #expect(cuts >= 30)
    }

    @Test func namesTheLineAndColumnOfABadValue() throws {
        let header = "a,b,label\n"
        let cases: [(rows: String, mentions: [String])] = [
            ("1,2,x\n3,four,y\n", ["data.csv, line 3, column 2 ('b')", "'four' is not a number"]),
            ("1,2,x\n,4,y\n", ["line 3, column 1 ('a')", "empty", "missing value"]),
            ("1,nan,x\n", ["line 2, column 2 ('b')", "'nan' is not finite"]),
            ("1,2,x\n-inf,3,y\n", ["line 3, column 1 ('a')", "'-inf' is not finite"]),
            ("1,1e39,x\n", ["line 2, column 2 ('b')", "not finite"]),
            (
                "\"multi\nline\",2,x\n1,2,\n",
                ["line 2, column 1 ('a')", "'multi\\nline' is not a number"]
            ),
            ("1,2,x\n3,4, \n", ["line 3, column 3 ('label')", "class label is empty"]),
        ]
        for (rows, mentions) in cases {
            expectDescentError(mentioning: mentions) {
                _ = try CSVReader.dataset(
                    from: CSVReader.parse(header + rows, source: "data.csv"),
                    label: .classes("label"))
            }
        }
    }

    @Test func rejectsMalformedText() {
        let cases: [(text: String, mentions: [String])] = [
            ("", ["empty", "header"]),
            ("a,b\n1,2\n3\n", ["line 3", "1 fields, but the header has 2"]),
            ("a,b\n1,\"2,3,4\n5,6\n", ["line 2", "not closed"]),
            ("a,b\n1,\"2\"x\n", ["line 2", "after a closing quote"]),
        ]
        for (text, mentions) in cases {
            expectDescentError(mentioning: mentions) {
                _ = try CSVReader.parse(text, source: "bad.csv")
            }
        }
    }

    @Test func rejectsBadColumnChoices() throws {
        let table = try CSVReader.parse("a,b,a2,label\n1,2,3,x\n")
        expectDescentError(mentioning: ["no column 'kind'", "'a', 'b', 'a2', 'label'"]) {
            _ = try CSVReader.dataset(from: table, label: .classes("kind"))
        }
        expectDescentError(mentioning: ["no column 'c'"]) {
            _ = try CSVReader.dataset(
                from: table, label: .classes("label"), featureColumns: ["a", "c"])
        }
        expectDescentError(mentioning: ["'label'", "both as a feature and as a label"]) {
            _ = try CSVReader.dataset(
                from: table, label: .classes("label"), featureColumns: ["a", "label"])
        }
        let duplicated = try CSVReader.parse("a,a,label\n1,2,x\n")
        expectDescentError(mentioning: ["2 columns named 'a'", "columns 1, 2"]) {
            _ = try CSVReader.dataset(from: duplicated, label: .classes("label"))
        }
        let headerOnly = try CSVReader.parse("a,label\n")
        expectDescentError(mentioning: ["no data rows", "empty data set"]) {
            _ = try CSVReader.dataset(from: headerOnly, label: .classes("label"))
        }
        let labelOnly = try CSVReader.parse("label\nx\n")
        expectDescentError(mentioning: ["no feature columns"]) {
            _ = try CSVReader.dataset(from: labelOnly, label: .classes("label"))
        }
    }
}
