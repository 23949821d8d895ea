print("chexpert-sample")
