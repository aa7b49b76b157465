"""The compute layer below :mod:`sksoftdtw.metrics` (private).

`kernels` picks the build of the Cython kernels that suits the CPU;
`planner` chooses, for every request, the kernel, its domain and its memory;
`pairs` lays pairs of validated series out and runs them (values,
gradients, the light path of one pair, the hard-DTW paths of DBA); `cost`
runs batches of cost matrices; `cdist` fills pairwise matrices block by
block; `second_order` runs the kernels of the sharp soft-DTW, the mean cost,
DILATE and the Hessian-vector products. The public functions validate their
arguments and call these; so do the estimators and the PyTorch module.
"""
