# The kernels of _second_order.pyx, compiled for CPUs with AVX2 (see setup.py);
# sksoftdtw._engine.kernels picks the best build the CPU supports at import.
include "_second_order.pyx"
