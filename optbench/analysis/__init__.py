"""Why a learning rate converges, oscillates or diverges: Hessian spectra and quadratic theory.

>>> from optbench.analysis import lr_limits, gd_optimal
>>> lr_limits("quadratic:kappa=100").eta_max
0.02
"""

from ._hessian import LRLimits as LRLimits
from ._hessian import lr_limits as lr_limits
from ._theory import Tuning as Tuning
from ._theory import gd_max_lr as gd_max_lr
from ._theory import gd_optimal as gd_optimal
from ._theory import gd_rate as gd_rate
from ._theory import heavy_ball_max_lr as heavy_ball_max_lr
from ._theory import heavy_ball_rate as heavy_ball_rate
from ._theory import nesterov_max_lr as nesterov_max_lr
from ._theory import nesterov_optimal as nesterov_optimal
from ._theory import nesterov_rate as nesterov_rate
from ._theory import nesterov_standard as nesterov_standard
from ._theory import polyak_optimal as polyak_optimal
