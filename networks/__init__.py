"""Small networks on small data sets, trained by the same steppers and runner as the surfaces.

>>> from optbench import networks, run
>>> p = networks.problem("mlp:16,16:tanh", "spiral", batch_size=32, validation=0.2)
>>> t = run(p, "momentum:lr=0.1", steps=300)
>>> t.extras["per_epoch"]["val_acc"][-1]   # doctest: +SKIP
"""

from ._cnn import cnn as cnn
from ._cnn import conv_output_size as conv_output_size
from ._data import Dataset as Dataset
from ._data import dataset as dataset
from ._data import defaults as defaults
from ._data import names as names
from ._diagram import draw_network as draw_network
from ._history import early_stop as early_stop
from ._history import history_csv as history_csv
from ._layers import ACTIVATIONS as ACTIVATIONS
from ._layers import INITS as INITS
from ._layers import activation as activation
from ._layers import init_weights as init_weights
from ._losses import LOSSES as LOSSES
from ._losses import accuracy as accuracy
from ._losses import loss_fn as loss_fn
from ._models import Model as Model
from ._models import layer_outputs as layer_outputs
from ._models import linear_neuron as linear_neuron
from ._models import logistic_regression as logistic_regression
from ._models import mlp as mlp
from ._models import predict as predict
from ._problem import NetworkProblem as NetworkProblem
from ._problem import problem as problem
from ._surface import DataSurface as DataSurface
from ._worked import WorkedExample as WorkedExample
from ._worked import backprop as backprop
from ._worked import worked_example as worked_example
from ._zoo import model_for as model_for
