/// The size of a decoded example: `height x width x 3` bytes, RGB.
public struct ImageShape: Sendable, Equatable {
    public var height: Int
    public var width: Int

    public static let channels = 3

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// Bytes of the decoded image. Cannot overflow: both sides come from a
    /// JPEG header (at most 65535) or were checked by the caller.
    public var byteCount: Int { height * width * Self.channels }
}
