"""The article's numpy script, verbatim apart from three things: the seed, the epoch count and an
optional list that collects each epoch's loss ½ΣE².  The one copy the tests and the benchmark
compare mlptrace with.

It seeds numpy's *global* random state, as the article's reader would: callers restore it.
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
