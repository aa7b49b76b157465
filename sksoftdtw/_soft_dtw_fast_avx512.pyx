# The kernels of _soft_dtw_fast.pyx, compiled for CPUs with AVX512 (see setup.py);
# sksoftdtw._engine.kernels picks the best build the CPU supports at import.
include "_soft_dtw_fast.pyx"
