"""The article's numpy code: the one copy the tests and the benchmark compare mlptrace with.

``article_script`` is its script verbatim apart from three things: the seed, the epoch count and
an optional list that collects each epoch's loss ½ΣE²; it seeds numpy's *global* random state,
as the article's reader would: callers restore it.  ``article_update`` is one iteration of its
loop on given weights, ``article_history`` its loop keeping the weights after every epoch.
"""
import numpy as np


def article_script(seed: int, epochs: int = 5000, losses: list | None = None):
    """Run the article's loop; return (wh, bh, wout, bout) after ``epochs`` epochs."""
    np.random.seed(seed)
    # Input array
    X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]])
    # Output
    y = np.array([[1], [1], [0]])

    # Sigmoid Function
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    # Derivative of Sigmoid Function
    def derivatives_sigmoid(x):
        return x * (1 - x)

    # Variable initialization
    epoch = epochs  # Setting training iterations
    lr = 0.1  # Setting learning rate
    inputlayer_neurons = X.shape[1]  # number of features in data set
    hiddenlayer_neurons = 3  # number of hidden layers neurons
    output_neurons = 1  # number of neurons at output layer
    # weight and bias initialization
    wh = np.random.uniform(size=(inputlayer_neurons, hiddenlayer_neurons))
    bh = np.random.uniform(size=(1, hiddenlayer_neurons))
    wout = np.random.uniform(size=(hiddenlayer_neurons, output_neurons))
    bout = np.random.uniform(size=(1, output_neurons))
    for i in range(epoch):
        # Forward Propogation
        hidden_layer_input1 = np.dot(X, wh)
        hidden_layer_input = hidden_layer_input1 + bh
        hiddenlayer_activations = sigmoid(hidden_layer_input)
        output_layer_input1 = np.dot(hiddenlayer_activations, wout)
        output_layer_input = output_layer_input1 + bout
        output = sigmoid(output_layer_input)
        # Backpropagation
        E = y - output
        if losses is not None:  # not the article's: the tests compare every epoch's loss
            losses.append(0.5 * float(np.sum(E ** 2)))
        slope_output_layer = derivatives_sigmoid(output)
        slope_hidden_layer = derivatives_sigmoid(hiddenlayer_activations)
        d_output = E * slope_output_layer
        Error_at_hidden_layer = d_output.dot(wout.T)
        d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer
        wout += hiddenlayer_activations.T.dot(d_output) * lr
        bout += np.sum(d_output, axis=0, keepdims=True) * lr
        wh += X.T.dot(d_hiddenlayer) * lr
        bh += np.sum(d_hiddenlayer, axis=0, keepdims=True) * lr
    return wh, bh, wout, bout


ARTICLE_X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
ARTICLE_Y = np.array([[1], [1], [0]], dtype=float)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(X, wh, bh, wout, bout):
    """The article's forward pass: its output for inputs X."""
    return sigmoid(np.dot(sigmoid(np.dot(X, wh) + bh), wout) + bout)


def article_update(X, y, wh, bh, wout, bout, lr):
    """One iteration of the article's loop, as written there, on copies: {"wh_next": …, "E": …}."""
    hidden_layer_input = np.dot(X, wh) + bh
    hiddenlayer_activations = sigmoid(hidden_layer_input)
    output_layer_input = np.dot(hiddenlayer_activations, wout) + bout
    output = sigmoid(output_layer_input)
    E = y - output
    slope_output_layer = output * (1 - output)
    slope_hidden_layer = hiddenlayer_activations * (1 - hiddenlayer_activations)
    d_output = E * slope_output_layer
    Error_at_hidden_layer = d_output.dot(wout.T)
    d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer
    return {"wout_next": wout + hiddenlayer_activations.T.dot(d_output) * lr,
            "bout_next": bout + np.sum(d_output, axis=0, keepdims=True) * lr,
            "wh_next": wh + X.T.dot(d_hiddenlayer) * lr,
            "bh_next": bh + np.sum(d_hiddenlayer, axis=0, keepdims=True) * lr, "E": E}


def article_history(seed: int, epochs: int):
    """The article's loop on its data from ``np.random.seed(seed)``'s draws (a RandomState: the
    same stream, no global state touched): ({epoch: (wh, bh, wout, bout) after it, 0 = the
    start}, the loss ½ΣE² of every epoch)."""
    rs = np.random.RandomState(seed)
    params = rs.uniform(size=(4, 3)), rs.uniform(size=(1, 3)), rs.uniform(size=(3, 1)), rs.uniform(size=(1, 1))
    history, losses = {0: params}, []
    for epoch in range(1, epochs + 1):
        new = article_update(ARTICLE_X, ARTICLE_Y, *params, 0.1)
        losses.append(0.5 * float(np.sum(new["E"] ** 2)))
        params = history[epoch] = tuple(new[k] for k in ("wh_next", "bh_next", "wout_next", "bout_next"))
    return history, np.array(losses)
