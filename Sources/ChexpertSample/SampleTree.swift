// Placeholder; replaced by the sample-tree writer.
