"""Files in and out: output files written without following symbolic links. Imports no other
layer of the package."""
