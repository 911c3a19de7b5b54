"""One module per dialect: its routes, where its key lives, how its bodies decode, how its errors look."""
