print("baohao")
