"""A user's script, written against minigrad's public API as a newcomer would, for
``mypy --strict`` (tests/test_typing.py). It is type-checked, not collected by pytest, but
it also runs (``python tests/typecheck_user_script.py``) so that it stays honest."""

from __future__ import annotations

import numpy as np

import minigrad as mg
from minigrad import nn, optim, viz
from minigrad.data import DataLoader, StandardScaler, train_test_split
from minigrad.datasets import Dataset, load_boston
from minigrad.metrics import mae, r2, rmse
from minigrad.testing import gradcheck, gradgradcheck
from minigrad.train import History, Trainer, fit


def linear_by_hand(X: np.ndarray, y: np.ndarray) -> float:
    """The chapter's linear regression with a hand-written SGD step."""
    W = mg.tensor(np.zeros((X.shape[1], 1)), requires_grad=True, name="W")
    B = mg.tensor(np.zeros(1), requires_grad=True, name="B")
    Xt = mg.tensor(X, name="X")
    Yt = mg.tensor(y, name="Y")
    loss = mg.tensor(0.0)
    for _ in range(5):
        W.grad = None
        B.grad = None
        N = mg.matmul(Xt, W)
        P = mg.add_bias(N, B)
        loss = mg.mse(P, Yt, reduction="sum")
        loss.backward()
        assert W.grad is not None and B.grad is not None
        with mg.no_grad():
            W -= 1e-5 * W.grad
            B -= 1e-5 * B.grad
    dot: str = viz.to_dot(loss, show_formulas=True)
    assert dot.startswith("digraph")
    return loss.item()


def operators(a: mg.Tensor, b: mg.Tensor) -> mg.Tensor:
    c = (a * b + a / (b * b + 1.0) - 2.0) ** 2
    d = mg.sigmoid(c) @ mg.transpose(c) + mg.tanh(c).sum()
    return mg.mean(mg.relu(d) + mg.exp(-d) + mg.log(d * d + 1.0))


def cube(x: mg.Tensor) -> mg.Tensor:
    return (x * x * x).sum()


class Cube(mg.Function):
    formula = "dL/d{0} = dL/d{y} ⊙ 3{0}²"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return x**3

    def backward(self, g: np.ndarray) -> np.ndarray:
        (x,) = self.saved
        result: np.ndarray = g * 3 * x**2
        return result


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(13, 13, rng=0)
        self.out = nn.Linear(13, 1, rng=1)

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        # a module's call returns Any, as torch's does (forward may return anything)
        y: mg.Tensor = self.out(mg.sigmoid(self.hidden(x)))
        return y


def main() -> None:
    boston: Dataset = load_boston()
    X_all, y_all = load_boston(return_X_y=True)
    assert X_all.shape == boston.data.shape
    y2d = y_all.reshape(-1, 1)
    X_train, X_test, y_train, y_test = train_test_split(X_all, y2d, test_size=0.3,
                                                        random_state=80718)
    scaler = StandardScaler().fit(X_train)
    X_train = scaler.transform(X_train)
    X_test = scaler.transform(X_test)

    print("by hand:", linear_by_hand(X_train, y_train))

    a = mg.tensor(np.random.default_rng(0).standard_normal((3, 3)), requires_grad=True)
    b = mg.tensor(np.ones((3, 3)))
    out = operators(a, b)
    out.backward()
    first = mg.grad(cube)(mg.tensor(2.0))
    value, second = mg.value_and_grad(cube)(mg.tensor(2.0))
    print(first.item(), value.item(), second.item())

    x = mg.tensor([0.5, -1.5], requires_grad=True)
    assert gradcheck(Cube.apply, x, random_state=0)
    assert gradgradcheck(Cube.apply, x)

    model: nn.Module = nn.Linear(13, 13, rng=0) >> nn.Sigmoid() >> nn.Linear(13, 1, rng=1)
    opt: optim.Optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loader = DataLoader((X_train, y_train), batch_size=23, shuffle=True, random_state=0)
    for xb, yb in loader:
        opt.zero_grad()
        loss = mg.mse(model(mg.tensor(xb)), mg.tensor(yb))
        loss.backward()
        opt.step()

    net = TwoLayer()
    adam = optim.Adam(net.parameters(), lr=0.01)
    trainer = Trainer(net, nn.MSELoss(), adam, patience=5, progress=False)
    history: History = trainer.fit(loader, epochs=20, val_data=(X_test, y_test))
    print(history)
    history2 = fit(net, nn.MSELoss(), adam, DataLoader(X_train, y_train, batch_size=32),
                   epochs=2, progress=False)
    print(history2.train_loss[-1], history2.epochs)

    with mg.no_grad():
        pred = net(mg.tensor(X_test))
    print(f"MAE {mae(y_test, pred):.3f} RMSE {rmse(y_test, pred):.3f} R² {r2(y_test, pred):.3f}")
    state = net.state_dict()
    net.load_state_dict(state)
    for name, p in net.named_parameters():
        print(name, p.shape)

    conv = nn.Conv2d(1, 4, 3, padding=1, rng=0)
    cnn = nn.Sequential(conv, nn.BatchNorm2d(4), nn.GELU(),
                        nn.MaxPool2d(2), nn.Dropout(0.1, rng=0), nn.Flatten(),
                        nn.Linear(4 * 2 * 2, 3, rng=0))
    nn.init.kaiming_normal_(conv.weight, nonlinearity="relu", rng=0)
    images = mg.tensor(np.random.default_rng(0).standard_normal((5, 1, 4, 4)))
    ce = nn.CrossEntropyLoss(label_smoothing=0.1)(cnn(images), np.array([0, 1, 2, 0, 1]))
    ce.backward()
    total: mg.Tensor = nn.utils.clip_grad_norm_(cnn.parameters(), max_norm=1.0)
    cnn.eval()
    print(total.item(), [name for name, _ in cnn.named_buffers()])
    attention = nn.MultiheadAttention(8, 2, batch_first=True, rng=0)
    seq = mg.tensor(np.ones((2, 3, 8)))
    attended, weights = attention(seq, seq, seq)
    assert weights is not None and attended.shape == (2, 3, 8)


if __name__ == "__main__":
    main()
