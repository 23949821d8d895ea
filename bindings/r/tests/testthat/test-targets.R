# Training targets and masks under the presets, against the Python binding.

test_that("targets and masks of every preset equal Python's", {
    m <- manifest()
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    for (split in c("train", "validation")) {
        n <- as.integer(m[[paste0("size_", split)]])
        for (preset in c("paper", "libauc", "xrv")) {
            observations <- readLines(ref_file(sprintf("targets_%s_%s.txt", preset, split)))
            K <- length(observations)
            expected_t <- matrix(read_f32(sprintf("targets_%s_%s.f32", preset, split)), nrow = n,
                                 byrow = TRUE, dimnames = list(NULL, observations))
            expected_m <- matrix(read_f32(sprintf("masks_%s_%s.f32", preset, split)), nrow = n,
                                 byrow = TRUE, dimnames = list(NULL, observations))
            result <- chexpert_targets(ds, split, preset)
            expect_identical(result$targets, expected_t, info = paste(preset, split))
            expect_identical(result$masks, expected_m, info = paste(preset, split))
            expect_identical(result$rules$observation, observations)
            expect_identical(result$masked_nan, preset == "xrv")
            expect_identical(result$no_finding, preset == "xrv")
            rows <- c(2, 1, n)
            subset <- chexpert_targets(ds, split, preset, indices = rows)
            expect_identical(subset$targets, expected_t[rows, , drop = FALSE])
        }
    }
})

test_that("the presets' policies are the header's", {
    ds <- open_reference()
    on.exit(chexpert_close(ds))
    paper <- chexpert_targets(ds, "train", "paper", indices = 1)$rules
    expect_identical(paper$observation,
                     c("Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Pleural Effusion"))
    expect_identical(paper$uncertain, c("ones", "multiclass", "ignore", "ones", "multiclass"))
    libauc <- chexpert_targets(ds, "train", "libauc", indices = 1)$rules
    expect_identical(libauc$observation,
                     c("Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion"))
    xrv <- chexpert_targets(ds, "train", "xrv", indices = 1:2, masked_nan = FALSE)
    expect_false(xrv$masked_nan)
    expect_false(anyNA(xrv$targets))
    expect_error(chexpert_targets(ds, "train", "u-ones"), class = "chexpert_E_INVALID_ARGUMENT")
})

test_that("shard indices equal Python's, with a full 64-bit seed", {
    seeded <- read_f64("shard_seeded.f64") + 1
    expect_identical(chexpert_shard_indices(37, shuffle = TRUE, seed = "18446744073709551611", epoch = 3,
                                            rank = 1, world = 3, remainder = "pad"), seeded)
    expect_identical(chexpert_shard_indices(37, shuffle = TRUE, seed = "0xFFFFFFFFFFFFFFFB", epoch = 3,
                                            rank = 1, world = 3), seeded)
    expect_identical(chexpert_shard_indices(10, world = 4, remainder = "drop"), read_f64("shard_plain.f64") + 1)
})
