"""How the network's math is written for people: spreadsheet formulas, written-out arithmetic,
symbols and the sentences of the steps.  Tables keyed by activation name and step, so every
sheet derives its words from one place.  Words are English here, marked for the catalogues
(``i18n``); each function that makes a sentence takes the reader's translate function ``t``.
"""
from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_, english

#: sigmoid's formula for a cell whose input is below this: EXP(−x) would overflow in a
#: spreadsheet (#NUM!) where numpy gives exactly 0, so such cells get a guarded formula
SIGMOID_GUARD = -709.78


@dataclass(frozen=True)
class Forms:
    """How one activation and its slope are written.

    ``formula``/``slope_formula``: spreadsheet templates over ``{x}`` (the input cell) and
    ``{a}`` (the output cell); ``arithmetic``/``slope_arithmetic``: the same with numbers;
    ``symbol``/``slope_symbol``: over matrix names; ``words``: what it does, for a sentence.
    """
    formula: str
    slope_formula: str
    arithmetic: str
    slope_arithmetic: str
    symbol: str
    slope_symbol: str
    words: str
    guarded_formula: str | None = None


FORMS: dict[str, Forms] = {
    "sigmoid": Forms("1/(1+EXP(-{x}))", "{a}*(1-{a})", "1/(1+exp(−{x}))", "{a}×(1−{a})",
                     "sigmoid({z})", "{a}·(1−{a})", N_("squashes any number into (0, 1) as 1/(1+e^−z)"),
                     guarded_formula=f"IF({{x}}<{SIGMOID_GUARD},0,1/(1+EXP(-{{x}})))"),
    "tanh": Forms("TANH({x})", "1-{a}*{a}", "tanh({x})", "1−{a}×{a}",
                  "tanh({z})", "1−{a}²", N_("squashes any number into (−1, 1)")),
    "relu": Forms("MAX({x},0)", "IF({a}>0,1,0)", "max({x}, 0)", N_("(1 if {a} > 0 else 0)"),
                  "max({z}, 0)", N_("(1 where {a} > 0, else 0)"),
                  N_("keeps positive numbers and turns negative ones into 0")),
    "linear": Forms("{x}", "1", "{x}", "1", "{z}", "1", N_("passes the number through unchanged")),
}


def forms(activation: str) -> Forms:
    """The written forms of the activation called ``activation``."""
    return FORMS[activation]


def slope_symbol(activation: str, a: str, t=english) -> str:
    """The slope of ``activation`` over the output called ``a``, in symbols (and, for relu, words)."""
    return t(FORMS[activation].slope_symbol, a=a)


def _slope_rule(hidden: str, output: str, t) -> str:
    """The slope formulas in words: once when hidden and output layers share the activation."""
    def rule(name):
        return f"{name}: {slope_symbol(name, 'a', t)}"
    if hidden == output:
        return t("for {rule}", rule=rule(hidden))
    return t("hidden layers {hidden}, output layer {output}", hidden=rule(hidden), output=rule(output))


def step_sentences(hidden: str, output: str, t=english) -> dict[str, str]:
    """What each step does and why, in plain words, keyed by the step's kind."""
    h, o = FORMS[hidden], FORMS[output]
    return {
        "inputs": t("Read the inputs X (one row per sample) and the targets y that the network should learn to give."),
        "weights": t("Every connection gets a weight and every neuron a bias. The first update starts from "
                     "the starting weights; every later update starts from the previous update's results."),
        "hidden_input": t("Each hidden neuron adds up its inputs, each multiplied by the weight of its connection, "
                          "and adds its bias: a row of the inputs times a column of the weights, plus the bias."),
        "hidden_act": t("Each hidden neuron passes its sum through the activation {activation}, which {words}.",
                        activation=hidden, words=t(h.words)),
        "output": t("The output layer does the same with the hidden activations: weighted sum plus bias, "
                    "then the activation {activation}, which {words}.", activation=output, words=t(o.words)),
        "error": t("The error is how far each output is from its target: E = y − output (positive: the output was too small)."),
        "slopes": t("A slope says how strongly a neuron's output reacts to a small change of its input: the "
                    "derivative of its activation, written from the output a — {rule}.",
                    rule=_slope_rule(hidden, output, t)),
        "d_output": t("The output delta scales the error by the output's slope: a large error on a neuron that "
                      "can still move gives a large correction."),
        "hidden_error": t("The error is sent back along the same connections: each hidden neuron collects the "
                          "deltas of the layer after it, each weighted by the connecting weight."),
        "hidden_delta": t("Each hidden neuron's share of the error is scaled by its own slope."),
        "update_w": t("Each weight moves by (its input × the delta at its end, summed over the samples) × the "
                      "learning rate lr. This is gradient descent on the loss ½·ΣE²."),
        "update_b": t("Each bias moves by (the sum of its neuron's deltas over the samples) × the learning rate lr."),
    }
