# Runs on a machine with Julia and libchexpert (not in this project's CI, which
# has no Julia; there the ccall signatures are checked by
# Tests/python/test_julia_signatures.py). Needs CHEXPERT_ROOT: a tree from
# `chexpert-sample --out DIR` or the real dataset.
using Test
using Chexpert

@testset "Chexpert" begin
    @test Chexpert.abi_version() == 2
    @test Chexpert.status_name(-6) == "CHEXPERT_E_NOT_FOUND"
    err = try
        Dataset(mktempdir())
        nothing
    catch e
        e
    end
    @test err isa ChexpertError && err.status == "CHEXPERT_E_NOT_FOUND"

    ds = Dataset()                              # $CHEXPERT_ROOT
    n = split_size(ds, :train)
    @test n > 0
    names = label_names(ds, :train)
    @test length(names) == num_labels(ds, :train)
    img = example_image(ds, :train, 1)
    @test size(img, 3) == 3 && (size(img, 1), size(img, 2)) == example_image_size(ds, :train, 1)
    @test batch_images(ds, :train, [1])[1] == img
    labels = batch_labels(ds, :train, 1:n)
    @test size(labels) == (n, length(names))
    @test labels[1, :] == example_labels(ds, :train, 1)
    @test batch_names(ds, :train, [1])[1] == example_name(ds, :train, 1)

    p = Params(Chexpert.CHEXPERT_KEY_HEIGHT => 16, Chexpert.CHEXPERT_KEY_WIDTH => 12,
               Chexpert.CHEXPERT_KEY_DTYPE => Chexpert.CHEXPERT_DTYPE_FLOAT32,
               Chexpert.CHEXPERT_KEY_NORMALIZE => Chexpert.CHEXPERT_NORMALIZE_UNIT)
    x, statuses = batch_resized(ds, :train, [1, 2], p)
    @test size(x) == (12, 16, 3, 2) && all(statuses .== 0) && all(0 .<= x .<= 1)

    t = Params(Chexpert.CHEXPERT_KEY_TARGET_PRESET => Chexpert.CHEXPERT_PRESET_LIBAUC)
    targets, masks = batch_targets(ds, :train, 1:3, t)
    @test size(targets) == (3, 5) && size(masks) == (3, 5)

    @test sort(shard_indices(nothing, 10)) == 1:10

    # Issues 12 and 13: release, splits, metadata, studies, evaluation, cache, augmentation.
    @test release_name(dataset_release(ds)) in ("small", "small_nested", "full", "aimi")
    @test has_split(ds, :train) && !has_split(ds, :test)
    meta = metadata(ds, :train)
    @test length(meta.patient) == n && maximum(meta.study_index) + 1 == split_study_count(ds, :train)
    scores = rand(n, 2)
    @test size(aggregate_scores(ds, :train, scores)) == (split_study_count(ds, :train), 2)
    parts = patient_split(ds, :train, [0.5, 0.5]; params=Params(Chexpert.CHEXPERT_KEY_SEED => 1))
    @test sort(vcat(parts...)) == 1:n
    result = evaluate(ds, :train, scores, [6, 9]; params=Params(Chexpert.CHEXPERT_KEY_BOOTSTRAP => 0))
    @test size(result) == (3, Chexpert.CHEXPERT_NUM_METRICS)
    cache = joinpath(mktempdir(), "c.chxc")
    cache_build(ds, cache, Params(Chexpert.CHEXPERT_KEY_CACHE_SIDE => 12))
    @test cache_info(cache)[7] == n             # CHEXPERT_CACHE_TRAIN (6), 1-based
    attach_cache!(ds, cache); attach_cache!(ds, nothing)
    @test augment_draw(nothing, 1, 30, 20) == [0, 0, 20, 30, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1]
    close!(ds)
    close!(ds)
    @test_throws ChexpertError split_size(ds, :train)
    free!(p); free!(p); free!(t)
end
