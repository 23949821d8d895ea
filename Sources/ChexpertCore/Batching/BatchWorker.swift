/// What one batch worker thread owns for the duration of a call: a
/// decompressor with its file buffer, a pixel buffer and a resampler, reused
/// for every example the worker handles.
final class BatchWorker {
    let decoder: ExampleDecoder
    let pixels = ScratchBuffer()
    let resampler = Resampler()

    /// - Throws: `.noMemory`.
    init() throws(ChexpertError) {
        decoder = try ExampleDecoder()
    }
}
