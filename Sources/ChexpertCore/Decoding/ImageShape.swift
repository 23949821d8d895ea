/// The size of a decoded example: `height x width x 3` bytes, RGB.
package struct ImageShape: Sendable, Equatable {
    package var height: Int
    package var width: Int

    package static let channels = 3

    package init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// Bytes of the decoded image. Cannot overflow: both sides come from a
    /// JPEG header (at most 65535) or were checked by the caller.
    package var byteCount: Int { height * width * Self.channels }
}
