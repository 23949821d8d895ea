# The packed cache (round trip against the JPEG path, info, stale caches) and
# native augmentation (draws, presets, effect on resized batches).

grey <- function(ds, fit, split = "train") {
    x <- chexpert_resized(ds, split, NULL, height = 18, width = 14, channels = 1, dtype = "uint8", fit = fit)
    attr(x, "status") <- NULL
    x
}

test_that("a cache at the output size holds the JPEG path's pixels and serves them back", {
    root <- manifest()[["root"]]
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    path <- tempfile(fileext = ".chxc")
    on.exit(unlink(path), add = TRUE)
    expect_identical(chexpert_build_cache(ds, path, height = 18, width = 14, fit = "cover", threads = 2), path)
    info <- chexpert_cache_info(path)
    expect_identical(names(info), c("version", "file_bytes", "side", "height", "width", "select", "train",
                                    "validation", "test", "failed", "plane_bytes"))
    expect_identical(unlist(info[c("side", "height", "width", "test", "failed")]),
                     c(side = 0, height = 18, width = 14, test = -1, failed = 0))
    expect_identical(info$file_bytes, as.numeric(file.size(path)))
    expect_identical(info$train, chexpert_split_size(ds, "train"))
    expect_identical(info$validation, chexpert_split_size(ds, "validation"))

    cached <- chexpert_open(root, cache = path)
    on.exit(chexpert_close(cached), add = TRUE)
    for (split in c("train", "validation"))
        expect_identical(grey(cached, "stretch", split), grey(ds, "cover", split), info = split)
    # Detached, the stretch read decodes the JPEGs again; attached later, the planes again.
    chexpert_attach_cache(cached, NULL)
    expect_identical(grey(cached, "stretch"), grey(ds, "stretch"))
    chexpert_attach_cache(cached, path)
    expect_identical(grey(cached, "stretch"), grey(ds, "cover"))
    # Images and labels never come from the cache.
    expect_identical(chexpert_example(cached, "train", 1)$image, chexpert_example(ds, "train", 1)$image)
})

test_that("a cache of another selection is refused as stale, and bad paths are conditions", {
    root <- manifest()[["root"]]
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    path <- tempfile(fileext = ".chxc")
    on.exit(unlink(path), add = TRUE)
    chexpert_build_cache(ds, path, size = 12)
    expect_identical(chexpert_cache_info(path)$side, 12)
    frontal <- chexpert_open(root, projections = "frontal")
    on.exit(chexpert_close(frontal), add = TRUE)
    expect_error(chexpert_attach_cache(frontal, path), class = "chexpert_E_STALE")
    expect_error(chexpert_open(root, projections = "frontal", cache = path), class = "chexpert_E_STALE")
    expect_error(chexpert_cache_info(tempfile()), class = "chexpert_E_NOT_FOUND")
    expect_error(chexpert_build_cache(ds, tempfile()), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_build_cache(ds, tempfile(), size = 8, height = 8, width = 8),
                 class = "chexpert_E_INVALID_ARGUMENT")
})

test_that("augment draws: identity without augmentation, preset ranges, seeded", {
    none <- chexpert_augment_draw("none", 1, 320, 390)
    expect_identical(names(none), c("crop_top", "crop_left", "crop_height", "crop_width", "angle",
                                    "translate_x", "translate_y", "scale", "shear_x", "shear_y", "flip",
                                    "brightness", "contrast", "gamma"))
    expect_identical(unlist(none, use.names = FALSE), c(0, 0, 390, 320, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1))
    a <- chexpert_augment("libauc", seed = 7)
    draws <- lapply(1:40, function(i) chexpert_augment_draw(a, i, 320, 390, epoch = 2))
    angles <- vapply(draws, `[[`, 0, "angle")
    scales <- vapply(draws, `[[`, 0, "scale")
    shifts <- vapply(draws, `[[`, 0, "translate_x")
    expect_true(all(abs(angles) <= 15) && all(scales >= 0.95 & scales <= 1.05) && all(abs(shifts) <= 16))
    expect_gt(length(unique(angles)), 30)
    expect_identical(chexpert_augment_draw(a, 5, 320, 390, epoch = 2), draws[[5]])
    expect_false(identical(chexpert_augment_draw(a, 5, 320, 390, epoch = 3), draws[[5]]))
    expect_false(identical(chexpert_augment_draw(chexpert_augment("libauc", seed = 8), 5, 320, 390, epoch = 2),
                           draws[[5]]))
    custom <- chexpert_augment(rotate = c(10, 10), hflip = 1, seed = 1)
    d <- chexpert_augment_draw(custom, 1, 100, 80)
    expect_identical(c(d$angle, d$flip, d$scale), c(10, 1, 1))
    expect_error(chexpert_augment(rotate = 1000), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_augment(gamma = c(2, 1)), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_augment("strong"), class = "chexpert_E_INVALID_ARGUMENT")
    expect_error(chexpert_augment_draw(a, 0, 320, 390), class = "chexpert_E_INVALID_ARGUMENT")
})

test_that("augmented resized batches: none is the plain read, a flip mirrors it, seeded", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    read <- function(...) {
        x <- chexpert_resized(ds, "train", 1:3, height = 20, width = 16, fit = "stretch", normalize = "unit", ...)
        attr(x, "status") <- NULL
        x
    }
    plain <- read()
    expect_identical(read(augment = "none"), plain)
    flipped <- read(augment = chexpert_augment(hflip = 1))
    expect_equal(flipped, plain[, 16:1, , , drop = FALSE], tolerance = 1e-6)
    a <- chexpert_augment("jfhealthcare", seed = 3)
    one <- read(augment = a, epoch = 1)
    expect_identical(read(augment = a, epoch = 1), one)
    expect_false(identical(read(augment = a, epoch = 2), one))
    expect_false(isTRUE(all.equal(one, plain)))
    expect_identical(read(resample = "exact", decode_scale = "auto") * 0, plain * 0)
    expect_error(read(resample = "slow"), class = "chexpert_E_INVALID_ARGUMENT")
})
