import ChexpertSample
import Glibc

/// A small CheXpert-shaped tree whose images the tests choose one by one:
/// good JPEGs of several kinds and deliberately broken files.
struct ImageTree {
    /// One train.csv row: the file under train/ and its bytes (nil: no file).
    struct Entry {
        var file: String
        var bytes: [UInt8]?
        var view = "Frontal"
    }

    let directory: TempDirectory
    let entries: [Entry]

    var root: String { directory.path }

    init(_ entries: [Entry]) throws {
        directory = try TempDirectory()
        self.entries = entries
        var rows = [CSVFixtures.header]
        for (i, entry) in entries.enumerated() {
            let path = "CheXpert-v1.0-small/train/" + entry.file
            if let bytes = entry.bytes { try directory.write(path, bytes) }
            let label = ["1.0", "0.0", "-1.0", ""][i % 4]
            rows.append("\(path),Female,50,\(entry.view),AP," + Array(repeating: label, count: 14).joined(separator: ","))
        }
        try directory.write("CheXpert-v1.0-small/train.csv", rows.joined(separator: "\n") + "\n")
        try directory.write("CheXpert-v1.0-small/valid.csv", [CSVFixtures.header, rows[1]].joined(separator: "\n") + "\n")
    }

    func remove() { directory.remove() }

    /// Chest-film-like grey pixels: smooth gradients plus fine texture, so
    /// fast and accurate IDCT differ.
    static func greyPixels(height: Int, width: Int, seed: Int = 0) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: height * width)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let smooth = (x * 180 / Swift.max(width, 1) + y * 60 / Swift.max(height, 1))
                let texture = ((x &* 7 &+ y &* 13 &+ seed) % 23) * 3
                pixels[y * width + x] = UInt8(truncatingIfNeeded: Swift.min(255, smooth + texture))
            }
        }
        return pixels
    }

    static func greyJPEG(height: Int, width: Int, quality: Int = 92, progressive: Bool = false, seed: Int = 0) throws -> [UInt8] {
        try JPEGEncoder.encode(greyPixels(height: height, width: width, seed: seed), width: width, height: height,
                               format: .gray, quality: quality, subsampling: .gray, progressive: progressive)
    }

    static func colourJPEG(height: Int, width: Int, subsampling: JPEGSubsampling) throws -> [UInt8] {
        let grey = greyPixels(height: height, width: width)
        var rgb = [UInt8](repeating: 0, count: height * width * 3)
        for i in 0 ..< height * width {
            rgb[3 * i] = grey[i]
            rgb[3 * i + 1] = 255 &- grey[i]
            rgb[3 * i + 2] = UInt8(truncatingIfNeeded: i)
        }
        return try JPEGEncoder.encode(rgb, width: width, height: height, format: .rgb, quality: 90, subsampling: subsampling)
    }
}
