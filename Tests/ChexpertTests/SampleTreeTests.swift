import CTurboJPEG
import ChexpertSample
import Glibc
import Testing

/// Tests of the sample-tree generator (ChexpertSample): CSV format and
/// vocabulary, files and JPEG headers, full decodes, determinism.
@Suite("SampleTree")
struct SampleTreeTests {
    /// A tree written into a fresh temporary directory, removed by `remove()`.
    private struct WrittenTree {
        let root: String
        let plan: SamplePlan
        let summary: SampleSummary

        init(_ spec: SampleSpec, jobs: Int = 1) throws {
            root = try SampleFiles.makeTemporaryDirectory(prefix: "chexpert-sample-test-")
            plan = try SamplePlan(spec: spec)
            summary = try SampleTree.write(plan, to: root, jobs: jobs)
        }

        func csvText(_ split: SampleSplit) throws -> String {
            let bytes = try SampleFiles.read(root + "/CheXpert-v1.0-small/" + split.csvFileName)
            return String(decoding: bytes, as: UTF8.self)
        }

        /// The data rows of a CSV, split into cells.
        func rows(_ split: SampleSplit) throws -> [[String]] {
            try csvText(split).split(separator: "\n").dropFirst().map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
        }

        func remove() { try? SampleFiles.removeTree(root) }
    }

    /// What a JPEG's header says.
    private struct JPEGHeader: Equatable {
        var width: Int32
        var height: Int32
        var subsampling: Int32
        var progressive: Bool
    }

    private static func header(_ jpeg: [UInt8]) -> JPEGHeader? {
        guard let handle = tjInitDecompress() else { return nil }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = tjDecompressHeader3(handle, jpeg, UInt(jpeg.count), &width, &height, &subsampling, &colorspace)
        guard status == 0 else { return nil }
        return JPEGHeader(width: width, height: height, subsampling: subsampling,
                          progressive: frameMarker(jpeg) == 0xC2)
    }

    /// The SOFn marker byte of a JPEG (0xC0 baseline, 0xC2 progressive), found
    /// by walking the marker segments.
    private static func frameMarker(_ jpeg: [UInt8]) -> UInt8? {
        var index = 2
        while index + 3 < jpeg.count, jpeg[index] == 0xFF {
            let marker = jpeg[index + 1]
            if (0xC0 ... 0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) { return marker }
            index += 2 + Int(jpeg[index + 2]) << 8 + Int(jpeg[index + 3])
        }
        return nil
    }

    /// Fully decodes with TJFLAG_STOPONWARNING (libjpeg warnings are errors,
    /// as in TensorFlow). - Returns: nil on success, else TurboJPEG's message.
    private static func decodeFailure(_ jpeg: [UInt8], _ header: JPEGHeader) -> String? {
        guard let handle = tjInitDecompress() else { return "tjInitDecompress failed" }
        defer { tjDestroy(handle) }
        var rgb = [UInt8](repeating: 0, count: Int(header.width) * Int(header.height) * 3)
        let status = tjDecompress2(handle, jpeg, UInt(jpeg.count), &rgb, header.width, 0, header.height,
                                   Int32(TJPF_RGB.rawValue), Int32(TJFLAG_STOPONWARNING))
        guard status != 0 else { return nil }
        return tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
    }

    @Test func csvHasTheRealHeaderAndLineEnds() throws {
        let tree = try WrittenTree(SampleSpec(trainPatients: 4, validPatients: 2, seed: 3))
        defer { tree.remove() }
        let expected = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,"
            + "Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,"
            + "Pleural Other,Fracture,Support Devices"
        for split in SampleSplit.allCases {
            let text = try tree.csvText(split)
            #expect(text.hasPrefix(expected + "\n"))
            #expect(text.hasSuffix("\n"))
            #expect(!text.contains("\r"))
            #expect(!text.hasPrefix("\u{FEFF}"))
            for row in try tree.rows(split) { #expect(row.count == 19) }
            #expect(Array(text.utf8) == tree.plan.csv(split))
        }
    }

    @Test(arguments: [UInt64(1), 2, 99])
    func everyVocabularyValueOccurs(seed: UInt64) throws {
        let tree = try WrittenTree(SampleSpec(trainPatients: 4, validPatients: 2, seed: seed, uniformSize: (40, 32)))
        defer { tree.remove() }
        let train = try tree.rows(.train)
        #expect(Set(train.map { $0[1] }) == ["Female", "Male", "Unknown"])
        let ages = train.compactMap { Int($0[2]) }
        #expect(ages.count == train.count)
        #expect(ages.contains(0))
        #expect(ages.allSatisfy { $0 == 0 || (18 ... 90).contains($0) })
        #expect(Set(train.filter { $0[3] == "Frontal" }.map { $0[4] }) == ["AP", "PA", "LL", "RL"])
        #expect(Set(train.filter { $0[3] == "Lateral" }.map { $0[4] }) == [""])
        #expect(Set(train.map { $0[3] }) == ["Frontal", "Lateral"])
        #expect(Set(train.map { $0[5] }) == ["", "1.0"])
        for column in 6 ..< 19 {
            #expect(Set(train.map { $0[column] }) == ["", "1.0", "0.0", "-1.0"], "column \(column)")
        }
        let valid = try tree.rows(.valid)
        #expect(Set(valid.map { $0[3] }) == ["Frontal", "Lateral"])
        #expect(Set(valid.filter { $0[3] == "Frontal" }.map { $0[4] }) == ["AP", "PA"])
        for column in 5 ..< 19 {
            #expect(Set(valid.map { $0[column] }) == ["0.0", "1.0"], "column \(column)")
        }
    }

    @Test func structureLooksLikeTheRealTrainCSV() throws {
        let plan = try SamplePlan(spec: SampleSpec(trainPatients: 60, validPatients: 20, seed: 5))
        let train = plan.train
        #expect(train.first?.path == "CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg")
        #expect(plan.valid.first?.path == "CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg")
        #expect(Set(train.map(\.patient)) == Set(1 ... 60))
        #expect(Set(plan.valid.map(\.patient)) == Set(64541 ... 64560))
        // Grouped by patient, studies sometimes descending, 1-3 studies and views.
        #expect(zip(train, train.dropFirst()).allSatisfy { $0.patient <= $1.patient })
        #expect(zip(train, train.dropFirst()).contains { $0.patient == $1.patient && $0.study > $1.study })
        var studies: [String: [SampleRecord]] = [:]
        for record in train { studies[record.studyDirectory, default: []].append(record) }
        #expect(studies.values.allSatisfy { (1 ... 3).contains($0.count) })
        #expect(studies.values.contains { $0.filter { $0.view == .frontal }.count == 2 })
        #expect(studies.values.contains { $0.allSatisfy { $0.view == .lateral } })
        for views in studies.values {
            #expect(views.map(\.viewNumber) == Array(1 ... views.count))
            #expect(Set(views.map(\.sex)).count == 1 && Set(views.map(\.age)).count == 1)
            #expect(Set(views.map(\.labels)).count == 1)
        }
        #expect(Set(train.map(\.path)).count == train.count)
        let patientsPerStudy = Set(train.map { $0.patient }).map { patient in
            Set(train.filter { $0.patient == patient }.map(\.study))
        }
        #expect(patientsPerStudy.allSatisfy { $0 == Set(1 ... $0.count) })
    }

    @Test func filesExistAndDecodeToThePlannedImages() throws {
        let tree = try WrittenTree(SampleSpec(trainPatients: 6, validPatients: 2, seed: 11, colorFraction: 0.4,
                                              progressiveFraction: 0.5))
        defer { tree.remove() }
        #expect(tree.summary.trainImages == tree.plan.train.count)
        #expect(tree.summary.validImages == tree.plan.valid.count)
        #expect(tree.summary.colorImages >= 2 && tree.summary.progressiveImages >= 1)
        var previousProgressive = false
        var sawBaselineAfterProgressive = false
        var total = 0
        for split in SampleSplit.allCases {
            let paths = try tree.rows(split).map { $0[0] }
            #expect(paths == tree.plan.records(split).map(\.path))
            for record in tree.plan.records(split) {
                let path = tree.root + "/" + record.path
                #expect(SampleFiles.isRegularFile(path), "\(path)")
                let jpeg = try SampleFiles.read(path)
                total += jpeg.count
                let expectedSubsampling: UInt32 = switch record.image.encoding {
                case .gray: TJSAMP_GRAY.rawValue
                case .ycbcr420: TJSAMP_420.rawValue
                case .ycbcr444: TJSAMP_444.rawValue
                }
                let expected = JPEGHeader(width: Int32(record.image.width), height: Int32(record.image.height),
                                          subsampling: Int32(expectedSubsampling), progressive: record.image.progressive)
                let header = Self.header(jpeg)
                #expect(header == expected, "\(record.path)")
                if let header { #expect(Self.decodeFailure(jpeg, header) == nil, "\(record.path)") }
                if previousProgressive && !record.image.progressive { sawBaselineAfterProgressive = true }
                previousProgressive = record.image.progressive
            }
        }
        #expect(sawBaselineAfterProgressive)
        #expect(total == tree.summary.jpegBytes)
    }

    @Test func defaultImagesHaveRealisticSizes() throws {
        let plan = try SamplePlan(spec: SampleSpec(trainPatients: 40, validPatients: 4, seed: 8))
        let images = (plan.train + plan.valid).map(\.image)
        #expect(images.allSatisfy { min($0.height, $0.width) == 320 && (320 ... 420).contains(max($0.height, $0.width)) })
        #expect(images.filter { $0.height == 390 && $0.width == 320 }.count * 2 > images.count)
        #expect(images.allSatisfy { (85 ... 95).contains($0.quality) && $0.encoding == .gray })
        var writer = try SampleImageWriter()
        var bytes = 0
        for image in images.prefix(12) { bytes += try writer.encode(image).count }
        let average = bytes / 12
        #expect((20_000 ... 70_000).contains(average), "average JPEG size \(average)")
    }

    @Test func uniformSizeAppliesToEveryImage() throws {
        let plan = try SamplePlan(spec: SampleSpec(trainPatients: 8, validPatients: 3, uniformSize: (97, 61)))
        #expect((plan.train + plan.valid).allSatisfy { $0.image.height == 97 && $0.image.width == 61 })
    }

    @Test func sameSeedSameBytesWhateverTheJobsOtherSeedOtherTree() throws {
        let spec = SampleSpec(trainPatients: 5, validPatients: 2, seed: 42, colorFraction: 0.3)
        let first = try WrittenTree(spec)
        defer { first.remove() }
        let second = try WrittenTree(spec, jobs: 3)
        defer { second.remove() }
        #expect(first.summary.jpegBytes == second.summary.jpegBytes)
        for split in SampleSplit.allCases {
            #expect(try first.csvText(split) == second.csvText(split))
            for record in first.plan.records(split) {
                #expect(try SampleFiles.read(first.root + "/" + record.path)
                    == SampleFiles.read(second.root + "/" + record.path), "\(record.path)")
            }
        }
        var other = spec
        other.seed = 43
        #expect(try SamplePlan(spec: other).csv(.train) != first.plan.csv(.train))
    }

    @Test func imageOptionsDoNotChangeTheCSVs() throws {
        let plain = try SamplePlan(spec: SampleSpec(trainPatients: 9, validPatients: 3, seed: 4))
        let varied = try SamplePlan(spec: SampleSpec(
            trainPatients: 9, validPatients: 3, seed: 4, uniformSize: (64, 64), colorFraction: 1,
            progressiveFraction: 1, quality: 50 ... 60))
        for split in SampleSplit.allCases { #expect(plain.csv(split) == varied.csv(split)) }
        #expect(varied.train.allSatisfy { $0.image.progressive && $0.image.encoding != .gray })
    }

    @Test func badSpecsAndPathsThrowWithTheCulprit() throws {
        #expect(throws: SampleError.self) { try SamplePlan(spec: SampleSpec(trainPatients: -1)) }
        #expect(throws: SampleError.self) { try SamplePlan(spec: SampleSpec(colorFraction: 1.5)) }
        #expect(throws: SampleError.self) { try SamplePlan(spec: SampleSpec(uniformSize: (0, 10))) }
        #expect(throws: SampleError.self) { try SamplePlan(spec: SampleSpec(quality: 0 ... 90)) }
        let root = try SampleFiles.makeTemporaryDirectory(prefix: "chexpert-sample-test-")
        defer { try? SampleFiles.removeTree(root) }
        try SampleFiles.write(Array("not a folder".utf8), to: root + "/file")
        do {
            _ = try SampleTree.write(to: root + "/file/tree", spec: SampleSpec(trainPatients: 1, validPatients: 1))
            Issue.record("writing under a regular file succeeded")
        } catch {
            #expect(error.kind == .io)
            #expect(error.path == root + "/file")
            #expect(error.message.contains(root + "/file/tree"))
        }
    }

    @Test func encoderWritesDecodableGreyAndColourJPEGsInAnyOrder() throws {
        let encoder = try JPEGEncoder()
        let grey = (0 ..< 45 * 37).map { UInt8(truncatingIfNeeded: $0 &* 7 ^ $0 >> 3) }
        let rgb = grey.flatMap { [$0, 255 &- $0, $0 / 2] }
        let cases: [(JPEGSubsampling, Bool)] = [(.gray, true), (.gray, false), (.s420, true), (.s444, false),
                                               (.s422, false), (.gray, true), (.s420, false)]
        for (subsampling, progressive) in cases {
            let jpeg = subsampling == .gray
                ? try encoder.encode(grey, width: 37, height: 45, format: .gray, quality: 90,
                                     subsampling: .gray, progressive: progressive)
                : try encoder.encode(rgb, width: 37, height: 45, format: .rgb, quality: 90,
                                     subsampling: subsampling, progressive: progressive)
            let header = try #require(Self.header(jpeg))
            #expect(header.width == 37 && header.height == 45 && header.progressive == progressive)
            #expect(Self.decodeFailure(jpeg, header) == nil, "\(subsampling) progressive=\(progressive)")
        }
        #expect(throws: SampleError.self) {
            try encoder.encode(grey, width: 38, height: 45, format: .gray, quality: 90, subsampling: .gray)
        }
        #expect(throws: SampleError.self) {
            try encoder.encode(grey, width: 37, height: 45, format: .gray, quality: 101, subsampling: .gray)
        }
    }
}
