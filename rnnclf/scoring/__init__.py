"""Scoring many texts: uploaded tables, files of any size in chunks, a Dask cluster, CSV cells made safe."""
