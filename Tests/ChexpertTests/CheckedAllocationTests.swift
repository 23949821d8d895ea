import CChexpertABI
import Testing
@testable import ChexpertCore

/// The checked allocator, the resampler's scratch bound and the bounded
/// per-example error list (issue 10, class 1). The fault-injection side is
/// Tests/faults/run.sh.
@Suite struct CheckedAllocationTests {
    @Test func refusesImpossibleSizesWithoutTrapping() {
        #expect(CheckedAllocation.allocate(bytes: -1) == nil)
        #expect(CheckedAllocation.allocate(count: Int.max, stride: 8) == nil)
        #expect(CheckedAllocation.allocate(bytes: 1 << 62) == nil)  // malloc fails: nil, not a trap
        #expect(UnsafeMutablePointer<Double>.allocateChecked(Int.max / 4) == nil)
        #expect(throws: ChexpertError.self) {
            _ = try UnsafeMutablePointer<Double>.allocateChecked(1 << 61, for: "a test")
        }
        let block = UnsafeMutablePointer<UInt32>.allocateChecked(16)
        #expect(block != nil)
        block?.deallocateChecked()
        let grown = CheckedAllocation.reallocate(nil, bytes: 8)
        #expect(grown != nil)
        let bigger = CheckedAllocation.reallocate(grown, bytes: 4096)
        #expect(bigger != nil)
        #expect(CheckedAllocation.reallocate(bigger, bytes: 1 << 62) == nil)  // old block kept
        CheckedAllocation.free(bigger)
    }

    @Test func scratchBufferFailureIsNoMemory() {
        let buffer = ScratchBuffer()
        do throws(ChexpertError) {
            _ = try buffer.reserve(1 << 62, for: "a test")
            Issue.record("a 4 EiB reserve succeeded")
        } catch {
            #expect(error.code == .noMemory)
            #expect(error.message.contains("a test"))
        }
        // Still usable.
        #expect((try? buffer.reserve(100)) != nil)
        #expect(buffer.capacity >= 100)
    }

    @Test func theBoundIsTheHeaders() {
        #expect(Int64(Resampler.maxScratchBytes) == Int64(CHEXPERT_MAX_SCRATCH_BYTES))
    }

    /// A small legal JPEG (8192 x 8) to a legal 1 x 65535: 2 GiB of rows.
    @Test func extremeResizeIsRefusedNamingTheBound() {
        let source = ImageShape(height: 8192, width: 8)
        let geometry = FitGeometry(fit: .stretch, source: source, height: 1, width: 65535)
        let bytes = Resampler.scratchBytes(source: source, channels: 1, geometry: geometry, filter: .bilinear)
        #expect((bytes ?? 0) > Resampler.maxScratchBytes)
        do throws(ChexpertError) {
            try Resampler.checkScratch(source: source, channels: 1, geometry: geometry, filter: .bilinear,
                                       file: "tall.jpg")
            Issue.record("the extreme resize was accepted")
        } catch {
            #expect(error.code == .limit)
            #expect(error.message.contains("CHEXPERT_MAX_SCRATCH_BYTES"))
            #expect(error.message.contains("\(Resampler.maxScratchBytes)"))
            #expect(error.message.contains("tall.jpg"))
        }
        // The largest legal everything still gives a number or a refusal, never a trap.
        let widest = ImageShape(height: 65535, width: 65535)
        for fit in ResizeSpec.Fit.allCases {
            let g = FitGeometry(fit: fit, source: widest, height: 65535, width: 65535)
            #expect(throws: ChexpertError.self) {
                try Resampler.checkScratch(source: widest, channels: 3, geometry: g, filter: .area, file: "x")
            }
        }
    }

    @Test func usualResizesFitAndMatchTheAllocation() throws {
        let source = ImageShape(height: 390, width: 320)
        for fit in ResizeSpec.Fit.allCases {
            for filter in ResampleFilter.allCases {
                let geometry = FitGeometry(fit: fit, source: source, height: 224, width: 224)
                let bytes = try #require(Resampler.scratchBytes(source: source, channels: 3, geometry: geometry,
                                                                filter: filter))
                #expect(bytes < 8 << 20)
                try Resampler.checkScratch(source: source, channels: 3, geometry: geometry, filter: filter, file: "x")
                // The span the plan assumes is the one the tables give.
                let axis = ResampleAxis()
                axis.compute(sourceSize: source.height, start: geometry.sourceY0, end: geometry.sourceY1,
                             outputSize: geometry.regionHeight, filter: filter)
                let span = ResampleAxis.span(sourceSize: source.height, start: geometry.sourceY0,
                                             end: geometry.sourceY1, outputSize: geometry.regionHeight, filter: filter)
                let last = geometry.regionHeight - 1
                #expect(span.first == axis.first[0])
                #expect(span.end == axis.first[last] + axis.count[last])
            }
        }
    }

    @Test func exampleErrorsKeepAByteEach() throws {
        let none = ExampleErrors(none: 3)
        #expect(none.count == 3 && none[1] == nil && !none.failed(1))
        let codes = try ExampleErrors(count: 4, keepingMessages: false)
        codes.record(ChexpertError(.notFound, "a: no such file"), at: 1)
        codes.record(ChexpertError(.limit, "b: too big"), at: 3)
        codes.finish()
        #expect(codes.failures == 2)
        #expect(codes[0] == nil && codes[1]?.code == .notFound && codes[3]?.code == .limit)
        let kept = try ExampleErrors(count: 2, keepingMessages: true)
        kept.record(ChexpertError(.io, "c: read failed"), at: 0)
        kept.finish()
        #expect(kept[0]?.message == "c: read failed" && kept[1] == nil)
    }
}
